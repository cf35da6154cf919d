namespace Flo.Storage.Stores;

/// <summary>
/// The byte-level store behind a <see cref="FloGrainStorage"/>: ETag-conditional writes and clears (a clear leaves a
/// tombstone whose version keeps counting, so no stale writer can match a recreated state), and records beside a
/// state changed atomically with its write. Every conflict throws <see cref="Orleans.Storage.InconsistentStateException"/>.
/// </summary>
internal interface IStateStore : IAsyncDisposable
{
    FloStorageProvider Provider { get; }

    /// <summary>The schema version of the database (0 for memory, or before <see cref="InitializeAsync"/>).</summary>
    int SchemaVersion { get; }

    WriteBatchStatistics Statistics { get; }

    /// <summary>Creates the database when needed, applies the schema scripts not yet applied, starts the writer. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<StoredState> ReadAsync(StateKey key, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="data"/> if the stored ETag is <paramref name="expectedEtag"/> (null: nothing ever stored), with <paramref name="records"/> (distinct ids); returns the new ETag.</summary>
    Task<string> WriteAsync(StateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> records, CancellationToken cancellationToken);

    /// <summary>Leaves a tombstone and deletes every record if the stored ETag is <paramref name="expectedEtag"/>; returns the tombstone's ETag.</summary>
    Task<string> ClearAsync(StateKey key, string? expectedEtag, CancellationToken cancellationToken);

    Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(StateKey key, long afterId, int limit, CancellationToken cancellationToken);

    Task<bool> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>One line for the start-up log and the readiness endpoint; passwords redacted.</summary>
    string Describe();
}
