namespace Flo.Storage;

/// <summary>Which database a <see cref="FloGrainStorage"/> keeps grain state in.</summary>
public enum FloStorageProvider
{
    /// <summary>
    /// Process memory, for tests: nothing survives the process. Stores named by <see cref="FloStorageOptions.MemoryStoreName"/>
    /// are shared by every silo of the process, so the silos of an in-process test cluster see one database.
    /// </summary>
    Memory,

    /// <summary>An embedded SQLite file, <c>&lt;DataDirectory&gt;/flo.db</c> in WAL mode: the single-machine default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every silo of a cluster.</summary>
    Postgres,
}
