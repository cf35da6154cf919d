using System.Data.Common;

namespace Flo.Runtime.Storage;

/// <summary>
/// A storage backend in an ADO.NET database (SQLite, PostgreSQL): what the membership and reminder tables build on.
/// Their SQL is per provider (<see cref="IStorageBackend.Kind"/>); their tables come from further schema scripts.
/// </summary>
public interface IRelationalStorageBackend : IStorageBackend
{
    /// <summary>The highest schema script applied to the database (0 before <see cref="IStorageBackend.InitializeAsync"/>).</summary>
    int SchemaVersion { get; }

    /// <summary>
    /// Opens a pooled connection configured like the provider's own (SQLite: busy timeout and <c>synchronous</c>).
    /// Dispose it to return it to the pool.
    /// </summary>
    ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);
}
