using System.Runtime.CompilerServices;

namespace Flo.Kv;

/// <summary>
/// The KV operations over grains, shared by the client facade, the RESP endpoint and the HTTP API so all three
/// validate, route and report errors alike. Arguments are checked before anything is sent. Inside a silo, give it the
/// silo's <see cref="IKvLocalReads"/>: gets of keys whose grains are active there are then answered without a call.
/// Concurrent writes of one key through one instance are joined into shared grain calls (<see cref="KvKeyCalls"/>), so
/// share one instance per process.
/// </summary>
public sealed class KvApi(IGrainFactory grains, int maxValueBytes = KvKeys.DefaultMaxValueBytes, IKvLocalReads? localReads = null)
{
    // Hot keys reuse their references; sized for a working set, not for every key.
    private readonly GrainReferenceCache<IKvKeyGrain> keys = new(grains, KvKeys.GrainKey, capacity: 16_384);

    // Writes of one key from many callers of this API (a silo's connections) share grain calls.
    private readonly KvKeyCalls calls = new();

    /// <summary>The value, or null when the key does not exist; waits up to <paramref name="blockMs"/> for a put when it does not.</summary>
    public async Task<KvEntry?> GetAsync(string ns, string key, int blockMs = 0, CancellationToken cancellationToken = default)
    {
        Validate(ns, key);
        if (blockMs < 0)
        {
            throw new KvArgumentException($"BlockMs must not be negative; got {blockMs}.");
        }
        if (blockMs == 0 && localReads is not null && localReads.TryGet(ns, key, out var local))
        {
            return local;
        }
        var grain = Key(ns, key);
        if (blockMs == 0)
        {
            return await grain.Get().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        // The key grain answers early when it is moving to another silo; ask again (wherever it lives now) until
        // the block time is used up.
        var deadline = Environment.TickCount64 + blockMs;
        while (true)
        {
            var remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
            var entry = await grain.GetOrWait(remaining, cancellationToken).ConfigureAwait(false);
            if (entry is not null || remaining < 20)
            {
                return entry;
            }
        }
    }

    /// <summary>Writes a value; returns the new version. Throws <see cref="VersionConflictException"/> or <see cref="KeyExistsException"/> when a condition fails.</summary>
    public async Task<long> PutAsync(string ns, string key, byte[] value, KvPutCondition? condition = null, CancellationToken cancellationToken = default)
    {
        Validate(ns, key);
        condition ??= KvPutCondition.None;
        var put = KvOp.Put(value, condition);
        KvKeys.ValidateOp(put, maxValueBytes);
        var result = (await calls.ExecuteAsync(ns, key, Key(ns, key), [put]).WaitAsync(cancellationToken).ConfigureAwait(false))[0];
        return result.PutStatus switch
        {
            KvPutStatus.Ok => result.Version,
            KvPutStatus.VersionConflict => throw new VersionConflictException(key, condition.CasVersion ?? 0, result.Version),
            _ => throw new KeyExistsException(key, result.Version),
        };
    }

    /// <summary>Deletes a key; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        Validate(ns, key);
        var results = await calls.ExecuteAsync(ns, key, Key(ns, key), [KvOp.Delete()]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return results[0].Deleted;
    }

    /// <summary>Newest first, at most <paramref name="limit"/> versions (default 10, at most the kept history).</summary>
    public async Task<IReadOnlyList<KvVersion>> HistoryAsync(string ns, string key, int limit = 10, CancellationToken cancellationToken = default)
    {
        Validate(ns, key);
        if (limit is < 1 or > KvKeys.HistoryDepth)
        {
            throw new KvArgumentException($"History limit must be 1 to {KvKeys.HistoryDepth}; got {limit}.");
        }
        return await Key(ns, key).History(limit).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keys with the prefix in UTF-8 byte order, one page (default 100, at most 1,000) after the cursor, from the key
    /// index the storage keeps (a put that returned is in it).
    /// </summary>
    public async Task<KvScanPage> ScanAsync(string ns, string prefix, int limit = KvKeys.DefaultScanLimit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        KvKeys.ValidateNamespace(ns);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
        {
            KvKeys.ValidateKey(prefix);
        }
        if (limit is < 1 or > KvKeys.MaxScanLimit)
        {
            throw new KvArgumentException($"Scan limit must be 1 to {KvKeys.MaxScanLimit}; got {limit}.");
        }
        var after = string.IsNullOrEmpty(cursor) ? null : KvCursor.Decode(ns, cursor);
        var page = await grains.GetGrain<IKvScanGrain>(ns).Scan(prefix, after, limit).WaitAsync(cancellationToken).ConfigureAwait(false);
        var keys = page.Keys;
        return new KvScanPage(keys, page.HasMore, page.HasMore && keys.Length > 0 ? KvCursor.Encode(ns, keys[^1]) : null);
    }

    /// <summary>Every key with the prefix, paging as it goes.</summary>
    public async IAsyncEnumerable<string> ScanAllAsync(string ns, string prefix, int pageSize = KvKeys.DefaultScanLimit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await ScanAsync(ns, prefix, pageSize, cursor, cancellationToken).ConfigureAwait(false);
            foreach (var key in page.Keys)
            {
                yield return key;
            }
            cursor = page.HasMore ? page.Cursor : null;
        }
        while (cursor is not null);
    }

    /// <summary>
    /// Every version after <paramref name="fromVersion"/>, in order, as they are stored (values and tombstones); runs
    /// until cancelled. Each round trip brings every version since the last one (up to the kept history), so a watcher
    /// keeps up with a hot key. Versions that fell out of the kept history before they were read are skipped, and the
    /// first version after such a gap says how many (<see cref="KvVersion.Skipped"/>).
    /// </summary>
    public async IAsyncEnumerable<KvVersion> WatchAsync(string ns, string key, long fromVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(ns, key);
        var grain = Key(ns, key);
        var last = fromVersion;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Waits stay well under the response timeout; an empty answer just asks again.
            var batch = await grain.WaitForVersionsAfter(last, KvKeys.HistoryDepth, 10_000, cancellationToken).ConfigureAwait(false);
            foreach (var next in batch)
            {
                last = next.Version;
                yield return next;
            }
        }
    }

    /// <summary>The largest value a put may carry here.</summary>
    public int MaxValueBytes => maxValueBytes;

    /// <summary>
    /// Applies <paramref name="ops"/> to one key in one call, in order, as if sent one after another (a RESP pipeline's
    /// commands on one key); answers once their changes are stored. Arguments are checked before anything is sent.
    /// </summary>
    public async Task<KvOpResult[]> ExecuteAsync(string ns, string key, KvOp[] ops, CancellationToken cancellationToken = default)
    {
        Validate(ns, key);
        ArgumentNullException.ThrowIfNull(ops);
        foreach (var op in ops)
        {
            KvKeys.ValidateOp(op, maxValueBytes);
        }
        if (localReads is not null && OnlyGets(ops) && localReads.TryGet(ns, key, out var local))
        {
            // Gets alone change nothing: each answers the current value, as the grain would.
            var results = new KvOpResult[ops.Length];
            Array.Fill(results, new KvOpResult { Entry = local });
            return results;
        }
        return await calls.ExecuteAsync(ns, key, Key(ns, key), ops).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool OnlyGets(KvOp[] ops)
    {
        foreach (var op in ops)
        {
            if (op.Kind != KvOpKind.Get)
            {
                return false;
            }
        }
        return ops.Length > 0;
    }

    private static void Validate(string ns, string key)
    {
        KvKeys.ValidateNamespace(ns);
        KvKeys.ValidateKey(key);
    }

    private IKvKeyGrain Key(string ns, string key) => keys.Get(ns, key);
}
