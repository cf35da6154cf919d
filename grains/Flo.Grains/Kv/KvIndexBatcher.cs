using System.Collections.Concurrent;
using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// A silo's key-index upserts, sent in batches (<see cref="CallBatcher{TItem}"/>): each index partition has at most one
/// call from this silo in flight, and the upserts that arrive meanwhile go together in the next one. New keys created
/// at once (many clients, a pipeline of new keys) cost one index call per partition per round trip instead of one
/// each; every caller still returns only when its key is stored in the index, so a put that returned is seen by the
/// next scan.
/// </summary>
public sealed class KvIndexBatcher(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, CallBatcher<KvIndexUpsert>> partitions = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="key"/> of <paramref name="ns"/> to its index partition (or changes its expiry); completes when stored.</summary>
    public Task UpsertAsync(string ns, string key, long expiresAtMs)
    {
        var partition = partitions.GetOrAdd(
            KvKeys.IndexGrainKey(ns, key),
            static (grainKey, factory) => new CallBatcher<KvIndexUpsert>(factory.GetGrainByKey<IKvIndexGrain>(grainKey).Upsert),
            grains);
        return partition.Add(new KvIndexUpsert(key, expiresAtMs));
    }
}
