using System.Collections.Concurrent;
using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// A silo's key-index upserts, sent in batches: each index partition has at most one call from this silo in flight,
/// and the upserts that arrive meanwhile go together in the next one. New keys created at once (many clients, a
/// pipeline of new keys) cost one index call per partition per round trip instead of one each; every caller still
/// returns only when its key is stored in the index, so a put that returned is seen by the next scan.
/// </summary>
public sealed class KvIndexBatcher(IGrainFactory grains)
{
    /// <summary>The most upserts one call carries.</summary>
    internal const int MaxBatch = 1024;

    private readonly ConcurrentDictionary<string, Partition> partitions = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="key"/> of <paramref name="ns"/> to its index partition (or changes its expiry); completes when stored.</summary>
    public Task UpsertAsync(string ns, string key, long expiresAtMs)
    {
        var partition = partitions.GetOrAdd(
            KvKeys.IndexGrainKey(ns, key),
            static (grainKey, factory) => new Partition(factory.GetGrainByKey<IKvIndexGrain>(grainKey)),
            grains);
        return partition.Enqueue(new KvIndexUpsert(key, expiresAtMs));
    }

    private sealed class Partition(IKvIndexGrain index)
    {
        private readonly Lock gate = new();
        private List<(KvIndexUpsert Upsert, TaskCompletionSource Stored)> pending = [];
        private bool sending;

        public Task Enqueue(KvIndexUpsert upsert)
        {
            // Continuations run asynchronously: a key grain resumes on its own scheduler, never on the sending loop.
            var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gate)
            {
                pending.Add((upsert, stored));
                if (sending)
                {
                    return stored.Task;
                }
                sending = true;
            }
            // Off the calling grain's scheduler: the loop outlives the call that started it.
            _ = Task.Run(SendAsync);
            return stored.Task;
        }

        private async Task SendAsync()
        {
            while (true)
            {
                List<(KvIndexUpsert Upsert, TaskCompletionSource Stored)> batch;
                lock (gate)
                {
                    if (pending.Count == 0)
                    {
                        sending = false;
                        return;
                    }
                    if (pending.Count <= MaxBatch)
                    {
                        batch = pending;
                        pending = [];
                    }
                    else
                    {
                        batch = pending.GetRange(0, MaxBatch);
                        pending.RemoveRange(0, MaxBatch);
                    }
                }
                var upserts = new KvIndexUpsert[batch.Count];
                for (var i = 0; i < batch.Count; i++)
                {
                    upserts[i] = batch[i].Upsert;
                }
                try
                {
                    await index.Upsert(upserts).ConfigureAwait(false);
                    foreach (var (_, stored) in batch)
                    {
                        stored.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    // Each put of the batch fails as its own call would have.
                    foreach (var (_, stored) in batch)
                    {
                        stored.TrySetException(e);
                    }
                }
            }
        }
    }
}
