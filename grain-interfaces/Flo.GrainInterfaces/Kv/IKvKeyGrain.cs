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
    /// Brings the key's entry in the key index (its storage listing) in line with the key, sent one-way by the silo's
    /// sweep for entries that came due: an expired key's value and history are dropped, keeping only its version number
    /// (so versions never go back), and it leaves the index; a live key is listed with its expiry; a deleted one leaves.
    /// Does nothing while a write of the key is in flight (that write settles it, or the next sweep does).
    /// </summary>
    [OneWay]
    Task SettleListing();
}

/// <summary>
/// A namespace's key scans (grain key: the namespace), answered from the key index the storage keeps beside the key
/// grains' states (a key is in it once a put of it is stored). Stateless, so every silo answers scans locally.
/// </summary>
[Alias("flo.kv.scan")]
public interface IKvScanGrain : IGrainWithStringKey
{
    /// <summary>Up to <paramref name="limit"/> live keys with the prefix, after <paramref name="after"/> (null: from the start), in UTF-8 byte order.</summary>
    [ReadOnly]
    Task<KvIndexPage> Scan(string prefix, string? after, int limit);
}
