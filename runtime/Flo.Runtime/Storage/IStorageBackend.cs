using Flo.Storage;

namespace Flo.Runtime.Storage;

/// <summary>
/// The storage database of a silo: one database shared by grain state now, and by membership and reminders.
/// Created by <see cref="StorageBackendFactory"/>; initialized once at silo start, disposed at silo stop.
/// </summary>
public interface IStorageBackend : IAsyncDisposable
{
    /// <summary>The provider.</summary>
    StorageProviderKind Kind { get; }

    /// <summary>The grain state provider backed by this database. Usable once <see cref="InitializeAsync"/> completed.</summary>
    IGrainStorage GrainStorage { get; }

    /// <summary>Creates the database file or directory when needed and applies the schema scripts not yet applied.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Whether the database answers a trivial query (for <c>/health/ready</c>).</summary>
    Task<bool> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>A one-line description for the start-up log and health output; passwords are redacted.</summary>
    string Describe();
}
