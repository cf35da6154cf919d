namespace Flo.Storage;

/// <summary>
/// Options of one <see cref="FloGrainStorage"/>, named like the provider (<c>AddFloGrainStorage(name, o => ...)</c>) and
/// checked by <see cref="FloStorageOptionsValidator"/> when the provider is created, that is before the silo starts.
/// </summary>
public sealed class FloStorageOptions
{
    /// <summary>Default of <see cref="DataDirectory"/>.</summary>
    public const string DefaultDataDirectory = "./data";

    /// <summary>Default of <see cref="MaxBatchSize"/>.</summary>
    public const int DefaultMaxBatchSize = 256;

    /// <summary>Default of <see cref="PostgresWriteBatches"/>.</summary>
    public const int DefaultPostgresWriteBatches = 2;

    /// <summary>Default of <see cref="SqliteSynchronous"/>.</summary>
    public const string DefaultSqliteSynchronous = "FULL";

    /// <summary>The database. Default <see cref="FloStorageProvider.Sqlite"/>.</summary>
    public FloStorageProvider Provider { get; set; } = FloStorageProvider.Sqlite;

    /// <summary>
    /// <see cref="FloStorageProvider.Postgres"/>: the Npgsql connection string (required).
    /// <see cref="FloStorageProvider.Sqlite"/>: optional; replaces the file derived from <see cref="DataDirectory"/>
    /// (e.g. <c>Data Source=/var/lib/flo/state.db</c>). Default none.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite: the directory holding <c>flo.db</c>, created when missing. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>The most state writes committed in one transaction (group commit). Default 256.</summary>
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>
    /// PostgreSQL: how many write batches may commit at once, each on its own connection. A batch's statements run one
    /// after another in one server process, so with one batch at a time the database uses one core for writes while
    /// the next batch waits; two overlap one batch's execution and commit with the next. Two writes of one state in
    /// flight at once meet the row lock and the ETag condition, as in one batch. SQLite has one writer and ignores this.
    /// Default 2.
    /// </summary>
    public int PostgresWriteBatches { get; set; } = DefaultPostgresWriteBatches;

    /// <summary>
    /// SQLite: <c>PRAGMA synchronous</c> of every connection (<c>OFF</c>, <c>NORMAL</c>, <c>FULL</c>, <c>EXTRA</c>; any case).
    /// Default <c>FULL</c>: a write is acknowledged only once it survives a power loss.
    /// </summary>
    public string SqliteSynchronous { get; set; } = DefaultSqliteSynchronous;

    /// <summary>
    /// Memory: the name of the process-wide store to use. Every provider of the process configured with the same name
    /// (the silos of one in-process test cluster) shares its data; give each test cluster its own name. Default null:
    /// a store of this provider instance alone.
    /// </summary>
    public string? MemoryStoreName { get; set; }
}
