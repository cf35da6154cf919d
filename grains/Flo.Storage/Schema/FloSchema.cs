using Flo.Storage.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flo.Storage;

/// <summary>
/// The platform's PostgreSQL schema: <see cref="FloGrainStorage"/>'s tables and the tables, and <c>OrleansQuery</c> rows,
/// that Orleans' ADO.NET clustering, reminders and grain storage need (their packages ship no SQL). Versioned scripts
/// (<c>grains/Flo.Storage/Schema/postgres/NNN_*.sql</c>) applied once each, recorded in <c>flo_schema_version</c>.
/// </summary>
public static class FloSchema
{
    /// <summary>
    /// Applies the PostgreSQL scripts not yet applied to the database of <paramref name="connectionString"/> and returns
    /// the schema version. Idempotent and safe when several silos start at once (an advisory lock serializes them).
    /// A silo host calls it before building the Orleans host, because ADO.NET clustering reads <c>OrleansQuery</c> as it
    /// starts, before any storage provider joins the silo lifecycle:
    /// <code>
    /// await FloSchema.ApplyPostgresAsync(connectionString, cancellationToken);
    /// builder.UseOrleans(silo => silo.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; }) ...);
    /// </code>
    /// </summary>
    public static async Task<int> ApplyPostgresAsync(string connectionString, CancellationToken cancellationToken = default, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        loggerFactory ??= NullLoggerFactory.Instance;
        var dataSource = PostgresStateStore.CreateDataSource(connectionString, loggerFactory);
        await using (dataSource.ConfigureAwait(false))
        {
            return await PostgresStateStore.CreateMigrator(dataSource, loggerFactory).MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The highest PostgreSQL schema version this build carries.</summary>
    public static int PostgresVersion => Schema.SchemaScript.Load("postgres")[^1].Version;
}
