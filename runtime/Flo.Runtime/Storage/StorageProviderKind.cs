namespace Flo.Runtime.Storage;

/// <summary>Which database holds grain state (and, later, membership and reminders).</summary>
public enum StorageProviderKind
{
    /// <summary>In-process memory: for tests only, nothing survives the process.</summary>
    Memory,

    /// <summary>An embedded SQLite file under <see cref="StorageOptions.DataDirectory"/>: the single-machine default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every silo of a cluster.</summary>
    Postgres,
}
