using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// One partition of a namespace's key index: the keys hashed to it, kept sorted in UTF-8 byte order in memory and
/// stored as one record per key beside a small state. Key grains add a key before a put of it returns and remove it after a delete is stored, so a
/// scan sees every key a successful put created; scans hide expired keys by their expiry.
/// </summary>
/// <remarks>
/// Each write stores only the keys that changed (records), so its cost does not grow with the partition; puts that
/// only change a value do not touch the index. The grain is reentrant and commits in groups: changes that arrive while
/// a write is in flight are applied in memory and stored together by the next write, so creating many keys at once
/// costs one write per batch, not per key. Every change is applied synchronously between awaits (one thread at a time), so the in-memory set is always
/// consistent.
/// </remarks>
[Reentrant]
[GrainType("kvindex")]
public sealed class KvIndexGrain([StateWithRecords("kvindex", FloStorage.Name)] IStateWithRecords<KvIndexState> state, TimeProvider time) : Grain, IKvIndexGrain
{
    private const int LoadPageSize = 4096;

    /// <summary>How often expired keys are looked for while the partition holds keys with a TTL.</summary>
    internal static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private readonly PriorityQueue<string, long> expiries = new();
    private readonly Dictionary<string, (long Id, long ExpiresAtMs)> entries = new(StringComparer.Ordinal);
    private readonly SortedSet<string> sorted = new(KvKeyComparer.Instance);
    private IGrainTimer? sweep;
    private GuardedCommit? commits;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A failed write drops the records it carried: this activation's memory is then ahead of storage.
        commits = new GuardedCommit(() => state.WriteStateAsync(), $"KV index {this.GetPrimaryKeyString()}", _ => DeactivateOnIdle());
        var after = 0L;
        while (true)
        {
            var page = await state.ReadRecordsAsync<KvIndexEntry>(after, LoadPageSize, cancellationToken);
            foreach (var (id, entry) in page)
            {
                entries[entry.Key] = (id, entry.ExpiresAtMs);
                sorted.Add(entry.Key);
                after = id;
            }
            if (page.Count < LoadPageSize)
            {
                break;
            }
        }
        if (state.State.Keys.Count > 0)
        {
            // Written before keys were records: move them, once.
            foreach (var (key, expiresAt) in state.State.Keys)
            {
                Set(key, expiresAt);
            }
            state.State.Keys = [];
            await state.WriteStateAsync();
        }
        foreach (var (key, (_, expiresAt)) in entries)
        {
            if (expiresAt != 0)
            {
                expiries.Enqueue(key, expiresAt);
            }
        }
        EnsureSweeping();
    }

    /// <inheritdoc/>
    public async Task Upsert(KvIndexUpsert[] upserts)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        commits!.EnsureUsable();
        var changed = false;
        foreach (var (key, expiresAtMs) in upserts)
        {
            KvKeys.ValidateKey(key);
            if (entries.TryGetValue(key, out var existing) && existing.ExpiresAtMs == expiresAtMs)
            {
                continue;
            }
            Set(key, expiresAtMs);
            changed = true;
            if (expiresAtMs != 0)
            {
                expiries.Enqueue(key, expiresAtMs);
            }
        }
        if (!changed)
        {
            return;
        }
        await WriteAsync();
        EnsureSweeping();
    }

    /// <inheritdoc/>
    public async Task Remove(string key)
    {
        commits!.EnsureUsable();
        if (!Unset(key))
        {
            return;
        }
        await WriteAsync();
    }

    /// <inheritdoc/>
    public Task<KvIndexPage> Scan(string prefix, string? after, int limit, long nowMs)
    {
        var keys = new List<string>(Math.Min(limit, 64));
        var hasMore = false;
        var lower = after is not null && KvKeyComparer.Instance.Compare(after, prefix) > 0 ? after : prefix;
        IEnumerable<string> candidates = sorted.Count == 0 || KvKeyComparer.Instance.Compare(lower, sorted.Max) > 0
            ? []
            : sorted.GetViewBetween(lower, sorted.Max!);
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
            var expires = entries[key].ExpiresAtMs;
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
            if (entries.TryGetValue(key, out var current) && current.ExpiresAtMs == at)
            {
                expired.Add(key);
            }
        }
        if (expired.Count > 0)
        {
            foreach (var key in expired)
            {
                Unset(key);
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

    /// <summary>Adds or changes a key in memory and stages its record (a new key gets the next id).</summary>
    private void Set(string key, long expiresAtMs)
    {
        var id = entries.TryGetValue(key, out var existing) ? existing.Id : state.State.NextId++;
        entries[key] = (id, expiresAtMs);
        sorted.Add(key);
        state.StageRecord(id, new KvIndexEntry { Key = key, ExpiresAtMs = expiresAtMs });
    }

    /// <summary>Removes a key in memory and stages its record's deletion; false when it was not there.</summary>
    private bool Unset(string key)
    {
        if (!entries.Remove(key, out var existing))
        {
            return false;
        }
        sorted.Remove(key);
        state.StageRecordDeletion(existing.Id);
        return true;
    }

    /// <summary>Completes when a write that includes every change made so far is stored.</summary>
    private Task WriteAsync() => commits!.CommitAsync();
}
