using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// One partition of a namespace's key index: the keys hashed to it, kept sorted in UTF-8 byte order in memory and
/// stored as a set. Key grains add a key before a put of it returns and remove it after a delete is stored, so a
/// scan sees every key a successful put created; scans hide expired keys by their expiry.
/// </summary>
/// <remarks>
/// Each write stores the partition's whole set (there are <see cref="KvKeys.IndexPartitions"/> partitions per
/// namespace, so a partition holds a sixteenth of the keys); puts that only change a value do not touch the index.
/// The grain is reentrant and commits in groups: changes that arrive while a write is in flight are applied in
/// memory and stored together by the next write, so creating many keys at once costs one write per batch, not per
/// key. Every change is applied synchronously between awaits (one thread at a time), so the in-memory set is always
/// consistent.
/// </remarks>
[Reentrant]
[GrainType("kvindex")]
public sealed class KvIndexGrain([PersistentState("kvindex", FloStorage.Name)] IPersistentState<KvIndexState> state, TimeProvider time) : Grain, IKvIndexGrain
{
    /// <summary>How often expired keys are looked for while the partition holds keys with a TTL.</summary>
    internal static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private readonly PriorityQueue<string, long> expiries = new();
    private SortedSet<string>? sorted;
    private IGrainTimer? sweep;
    private readonly GroupCommit commits = new(() => state.WriteStateAsync());

    private SortedSet<string> Sorted => sorted ??= new SortedSet<string>(state.State.Keys.Keys, KvKeyComparer.Instance);

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, expiresAt) in state.State.Keys)
        {
            if (expiresAt != 0)
            {
                expiries.Enqueue(key, expiresAt);
            }
        }
        EnsureSweeping();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task Upsert(string key, long expiresAtMs)
    {
        if (state.State.Keys.TryGetValue(key, out var existing) && existing == expiresAtMs)
        {
            return;
        }
        state.State.Keys[key] = expiresAtMs;
        Sorted.Add(key);
        await WriteAsync();
        if (expiresAtMs != 0)
        {
            expiries.Enqueue(key, expiresAtMs);
            EnsureSweeping();
        }
    }

    /// <inheritdoc/>
    public async Task Remove(string key)
    {
        if (!state.State.Keys.Remove(key))
        {
            return;
        }
        Sorted.Remove(key);
        await WriteAsync();
    }

    /// <inheritdoc/>
    public Task<KvIndexPage> Scan(string prefix, string? after, int limit, long nowMs)
    {
        var keys = new List<string>(Math.Min(limit, 64));
        var hasMore = false;
        var lower = after is not null && KvKeyComparer.Instance.Compare(after, prefix) > 0 ? after : prefix;
        IEnumerable<string> candidates = Sorted.Count == 0 || KvKeyComparer.Instance.Compare(lower, Sorted.Max) > 0
            ? []
            : Sorted.GetViewBetween(lower, Sorted.Max!);
        foreach (var key in candidates)
        {
            if (after is not null && KvKeyComparer.Instance.Compare(key, after) <= 0)
            {
                continue;
            }
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                break;
            }
            var expires = state.State.Keys[key];
            if (expires != 0 && expires <= nowMs)
            {
                continue;
            }
            if (keys.Count == limit)
            {
                hasMore = true;
                break;
            }
            keys.Add(key);
        }
        return Task.FromResult(new KvIndexPage { Keys = [.. keys], HasMore = hasMore });
    }

    /// <summary>
    /// Background reclaim of expired keys (they are already invisible): drop them from the index, then tell each key
    /// grain one-way to drop its value (one-way, so this turn never waits on a key grain that might call back here).
    /// While keys with a TTL remain, the partition stays active so the sweep keeps running.
    /// </summary>
    private async Task SweepAsync()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var expired = new List<string>();
        while (expiries.TryPeek(out var key, out var at) && at <= now)
        {
            expiries.Dequeue();
            // Entries are not removed from the queue when a key is re-put or deleted; skip the stale ones.
            if (state.State.Keys.TryGetValue(key, out var current) && current == at)
            {
                expired.Add(key);
            }
        }
        if (expired.Count > 0)
        {
            foreach (var key in expired)
            {
                state.State.Keys.Remove(key);
                Sorted.Remove(key);
            }
            await WriteAsync();
            var ns = KvKeys.Split(this.GetPrimaryKeyString()).Namespace;
            foreach (var key in expired)
            {
                await GrainFactory.GetGrain<IKvKeyGrain>(KvKeys.GrainKey(ns, key)).ReclaimIfExpired();
            }
        }
        if (expiries.Count == 0)
        {
            sweep?.Dispose();
            sweep = null;
        }
        else
        {
            DelayDeactivation(SweepPeriod * 3);
        }
    }

    private void EnsureSweeping()
    {
        if (sweep is null && expiries.Count > 0)
        {
            sweep = this.RegisterGrainTimer(_ => SweepAsync(), SweepPeriod, SweepPeriod);
            DelayDeactivation(SweepPeriod * 3);
        }
    }

    /// <summary>Completes when a write that includes every change made so far is stored.</summary>
    private Task WriteAsync() => commits.CommitAsync();
}
