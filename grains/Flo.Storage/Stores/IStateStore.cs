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

    /// <summary>
    /// Writes <paramref name="data"/> if the stored ETag is <paramref name="expectedEtag"/> (null: nothing ever stored),
    /// with <paramref name="records"/> (distinct ids) and <paramref name="listing"/> (null: unchanged); returns the new ETag.
    /// </summary>
    Task<string> WriteAsync(StateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> records, GrainListingChange? listing, CancellationToken cancellationToken);

    /// <summary>Leaves a tombstone, deletes every record and unlists the state if the stored ETag is <paramref name="expectedEtag"/>; returns the tombstone's ETag.</summary>
    Task<string> ClearAsync(StateKey key, string? expectedEtag, CancellationToken cancellationToken);

    Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(StateKey key, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Listed states of <paramref name="stateName"/> whose grain ids start with <paramref name="grainIdPrefix"/>, after <paramref name="afterGrainId"/> (null: from the prefix), in UTF-8 byte order.</summary>
    Task<IReadOnlyList<ListedGrain>> ListAsync(string stateName, string grainIdPrefix, string? afterGrainId, int limit, CancellationToken cancellationToken);

    /// <summary>Listed states of <paramref name="stateName"/> whose grain ids start with <paramref name="grainIdPrefix"/> and whose due time (not 0) is at or before <paramref name="dueBy"/>, earliest first.</summary>
    Task<IReadOnlyList<ListedGrain>> ListDueAsync(string stateName, string grainIdPrefix, long dueBy, int limit, CancellationToken cancellationToken);

    Task<bool> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>One line for the start-up log and the readiness endpoint; passwords redacted.</summary>
    string Describe();
}
