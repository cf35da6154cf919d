using System.Data.Common;
using Flo.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flo.Runtime.Storage;

/// <summary>The PostgreSQL database shared by the silos of a cluster, reached through one pooled <see cref="NpgsqlDataSource"/>.</summary>
internal sealed partial class PostgreSqlStorageBackend : IRelationalStorageBackend
{
    /// <summary>Serializes schema migrations of every silo on the database: an arbitrary constant, the same in every version.</summary>
    private const long MigrationLockKey = 0x466c6f536368656d; // "FloSchem"

    /// <summary>Statements kept prepared per connection when the connection string does not say otherwise.</summary>
    private const int DefaultMaxAutoPrepare = 32;

    private readonly NpgsqlDataSource dataSource;
    private readonly string description;
    private readonly PostgreSqlGrainStorage storage;
    private readonly SchemaMigrator migrator;
    private readonly ILogger logger;
    private readonly SemaphoreSlim initializeLock = new(1, 1);
    private int disposed;

    /// <summary>Connections per silo unless the connection string says otherwise.</summary>
    public const int DefaultMaxPoolSize = 32;

    public PostgreSqlStorageBackend(StorageOptions options, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        if (!builder.ConnectionStringBuilder.ContainsKey("Max Auto Prepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }
        if (!builder.ConnectionStringBuilder.ContainsKey("Maximum Pool Size"))
        {
            // Writes are group-committed on a few connections; Npgsql's default of 100 per silo would let a handful
            // of silos exhaust a server's connection slots.
            builder.ConnectionStringBuilder.MaxPoolSize = DefaultMaxPoolSize;
        }
        builder.UseLoggerFactory(loggerFactory);
        dataSource = builder.Build();
        description = $"PostgreSQL {Redact(options.ConnectionString!)} (write batches up to {options.MaxBatchSize})";
        logger = loggerFactory.CreateLogger<PostgreSqlStorageBackend>();
        storage = new PostgreSqlGrainStorage(dataSource, options.MaxBatchSize, loggerFactory.CreateLogger<PostgreSqlGrainStorage>());
        migrator = new SchemaMigrator(
            "postgres",
            "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_utc timestamptz NOT NULL)",
            async ct => await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false),
            BeginExclusiveAsync,
            loggerFactory.CreateLogger<SchemaMigrator>());
    }

    public StorageProviderKind Kind => StorageProviderKind.Postgres;

    public IGrainStorage GrainStorage => storage;

    public int SchemaVersion { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SchemaVersion = await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
            storage.Start();
            LogInitialized(logger, description, SchemaVersion);
        }
        finally
        {
            initializeLock.Release();
        }
    }

    public async Task<bool> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var command = dataSource.CreateCommand("SELECT 1");
            await using var commandScope = command.ConfigureAwait(false);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public string Describe() => description;

    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
        => await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        await storage.StopAsync().ConfigureAwait(false);
        await dataSource.DisposeAsync().ConfigureAwait(false);
        initializeLock.Dispose();
    }

    private static async ValueTask<DbTransaction> BeginExclusiveAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = connection.CreateCommand();
            await using var commandScope = command.ConfigureAwait(false);
            command.Transaction = transaction;
            command.CommandText = $"SELECT pg_advisory_xact_lock({MigrationLockKey})";
            // Waits as long as another silo's migration takes; the start-up cancellation still ends the wait.
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string Redact(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = "***";
        }
        return builder.ToString();
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Storage: {Description}, schema version {Version}")]
    private static partial void LogInitialized(ILogger logger, string description, int version);
}
