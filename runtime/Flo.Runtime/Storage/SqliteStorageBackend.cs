using System.Data.Common;
using Flo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Storage;

/// <summary>
/// The embedded SQLite database <c>&lt;DataDirectory&gt;/flo.db</c> (or <see cref="StorageOptions.ConnectionString"/>),
/// in WAL mode so readers never wait for the writer. Several silos of one machine may share the file: writes take the
/// database lock with <c>BEGIN IMMEDIATE</c> and wait for each other up to the busy timeout.
/// </summary>
internal sealed partial class SqliteStorageBackend : IRelationalStorageBackend
{
    /// <summary>How long a connection waits for another connection's write lock before failing with SQLITE_BUSY.</summary>
    private const int BusyTimeoutSeconds = 30;

    private readonly string connectionString;
    private readonly string filePath;
    private readonly string synchronous;
    private readonly int maxBatchSize;
    private readonly SqliteGrainStorage storage;
    private readonly SchemaMigrator migrator;
    private readonly ILogger logger;
    private readonly SemaphoreSlim initializeLock = new(1, 1);
    private int disposed;

    public SqliteStorageBackend(StorageOptions options, ILoggerFactory loggerFactory)
    {
        var builder = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(Path.Combine(options.DataDirectory, "flo.db")) }
            : new SqliteConnectionStringBuilder(options.ConnectionString);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        if (builder.DefaultTimeout == new SqliteConnectionStringBuilder().DefaultTimeout)
        {
            builder.DefaultTimeout = BusyTimeoutSeconds;
        }
        connectionString = builder.ToString();
        filePath = builder.DataSource;
        synchronous = options.SqliteSynchronous.Trim().ToUpperInvariant();
        maxBatchSize = options.MaxBatchSize;
        logger = loggerFactory.CreateLogger<SqliteStorageBackend>();
        storage = new SqliteGrainStorage(this, options.MaxBatchSize, loggerFactory.CreateLogger<SqliteGrainStorage>());
        migrator = new SchemaMigrator(
            "sqlite",
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_utc TEXT NOT NULL)",
            async ct => await OpenAsync(ct).ConfigureAwait(false),
            static (connection, _) => ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false)), // BEGIN IMMEDIATE
            loggerFactory.CreateLogger<SchemaMigrator>());
    }

    public StorageProviderKind Kind => StorageProviderKind.Sqlite;

    public IGrainStorage GrainStorage => storage;

    public int SchemaVersion { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsFile(filePath))
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(filePath));
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }
            }
            await EnableWalAsync(cancellationToken).ConfigureAwait(false);
            SchemaVersion = await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
            await storage.StartAsync(cancellationToken).ConfigureAwait(false);
            LogInitialized(logger, Describe(), SchemaVersion);
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
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using var commandScope = command.ConfigureAwait(false);
            command.CommandText = "SELECT COUNT(*) FROM schema_version";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public string Describe()
    {
        var shown = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(shown.Password))
        {
            shown.Password = "***";
        }
        return $"SQLite {shown.DataSource} (synchronous {synchronous}, WAL, write batches up to {maxBatchSize})";
    }

    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Opens a pooled connection with this backend's busy timeout and durability.</summary>
    internal async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Per-connection settings, so pooled connections get them too. synchronous was validated against a fixed list.
            var command = connection.CreateCommand();
            await using var commandScope = command.ConfigureAwait(false);
            command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA synchronous = {synchronous};";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        await storage.StopAsync().ConfigureAwait(false);
        // Pooled connections keep the file open; release them so the file can be moved or deleted once the silo stopped.
        SqliteConnection.ClearPool(new SqliteConnection(connectionString));
        initializeLock.Dispose();
    }

    private async Task EnableWalAsync(CancellationToken cancellationToken)
    {
        // The journal mode is stored in the database file, but it can only be switched outside a transaction.
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            LogNoWal(logger, filePath, mode ?? "unknown");
        }
    }

    private static bool IsFile(string dataSource)
        => !string.IsNullOrEmpty(dataSource) && dataSource != ":memory:" && !dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Storage: {Description}, schema version {Version}")]
    private static partial void LogInitialized(ILogger logger, string description, int version);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "SQLite database {Path} could not switch to WAL (journal mode {Mode}); readers will wait for writers")]
    private static partial void LogNoWal(ILogger logger, string path, string mode);
}
