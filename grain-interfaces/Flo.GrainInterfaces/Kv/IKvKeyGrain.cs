namespace Flo.Kv;

/// <summary>
/// One key of one namespace (grain key <see cref="KvKeys.GrainKey"/>): its value, version, timestamps, expiry and
/// recent history, in persistent state. Every change is written before the call returns; concurrent writes share a
/// storage write (group commit), and reads see only stored versions.
/// </summary>
[Alias("flo.kv.key")]
public interface IKvKeyGrain : IGrainWithStringKey
{
    /// <summary>The live value, or null when the key does not exist or expired.</summary>
    [ReadOnly]
    Task<KvEntry?> Get();

    /// <summary>
    /// The live value; if there is none, waits up to <paramref name="blockMs"/> for a put. Interleaves: waiting does
    /// not hold the grain's turn, so other callers of the key are served meanwhile.
    /// </summary>
    [AlwaysInterleave]
    [Idempotent]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<KvEntry?> GetOrWait(int blockMs, CancellationToken cancellationToken = default);

    /// <summary>Writes a value under the condition.</summary>
    Task<KvPutResult> Put(byte[] value, KvPutCondition condition);

    /// <summary>Deletes the key (a tombstone in the history); deleting a missing key returns Deleted = false.</summary>
    Task<KvDeleteResult> Delete();

    /// <summary>Newest first, at most <paramref name="limit"/> versions (values and tombstones).</summary>
    [ReadOnly]
    Task<KvVersion[]> History(int limit);

    /// <summary>
    /// Every kept version after <paramref name="afterVersion"/> (values and tombstones, oldest first, at most
    /// <paramref name="limit"/>), waiting up to <paramref name="timeoutMs"/> when there is none yet; empty when nothing
    /// newer came. When versions after the cursor already fell out of the kept history, the first one returned says how
    /// many were skipped (<see cref="KvVersion.Skipped"/>). Interleaves.
    /// </summary>
    [AlwaysInterleave]
    [Idempotent]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<KvVersion[]> WaitForVersionsAfter(long afterVersion, int limit, int timeoutMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="ops"/> in order, as if sent one after another, and answers once every change among them
    /// is stored (one write for the batch); gets see the puts before them in the batch.
    /// </summary>
    Task<KvOpResult[]> Execute(KvOp[] ops);

    /// <summary>
    /// Drops the value and history of an expired key, keeping only its version number (so versions never go back).
    /// Sent one-way by the index's expiry sweep; does nothing if the key was written again meanwhile.
    /// </summary>
    [OneWay]
    Task ReclaimIfExpired();
}

/// <summary>
/// One partition of a namespace's ordered key index (grain key <c>namespace/partition</c>): the live keys that hash
/// to it, in ordinal order, with their expiry. Scans merge the partitions.
/// </summary>
[Alias("flo.kv.index")]
public interface IKvIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds keys or changes their expiry, in order; returns when all are stored. A silo batches its key grains' upserts into one call per partition.</summary>
    Task Upsert(KvIndexUpsert[] upserts);

    /// <summary>Removes a key.</summary>
    Task Remove(string key);

    /// <summary>Up to <paramref name="limit"/> keys with the prefix, after <paramref name="after"/>, not expired at <paramref name="nowMs"/>.</summary>
    [ReadOnly]
    Task<KvIndexPage> Scan(string prefix, string? after, int limit, long nowMs);
}
