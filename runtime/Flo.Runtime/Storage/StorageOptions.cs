namespace Flo.Runtime.Storage;

/// <summary>
/// Storage options, bound from the configuration section <c>Cluster:Storage</c>
/// (environment: <c>CLUSTER__STORAGE__PROVIDER</c>, <c>CLUSTER__STORAGE__CONNECTIONSTRING</c>, ...).
/// Checked by <see cref="StorageOptionsValidator"/> before the silo starts.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The provider. Default <see cref="StorageProviderKind.Sqlite"/>.</summary>
    public StorageProviderKind Provider { get; set; } = StorageProviderKind.Sqlite;

    /// <summary>
    /// PostgreSQL: the Npgsql connection string (required). SQLite: optional; replaces the connection string derived
    /// from <see cref="DataDirectory"/> (e.g. <c>Data Source=/var/lib/flo/state.db</c>). Default none.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite: the directory holding <c>flo.db</c>, created when missing. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The most state writes committed in one transaction. Default 256.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// SQLite: <c>PRAGMA synchronous</c> of the connections that write (<c>OFF</c>, <c>NORMAL</c>, <c>FULL</c>, <c>EXTRA</c>).
    /// Default <c>FULL</c>: a write is acknowledged only once it survives a power loss.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "FULL";
}
