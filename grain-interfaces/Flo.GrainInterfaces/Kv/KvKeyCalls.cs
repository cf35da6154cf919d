using System.Collections.Concurrent;

namespace Flo.Kv;

/// <summary>
/// One <see cref="KvApi"/>'s calls to key grains, joined per key: while a call to a key is in flight, operations on
/// that key from other callers wait and then go together, in arrival order, in the next call. A hot key written by many
/// connections of one silo then costs a grain call per round trip, not one per write, and the grain's group commit
/// stores the whole batch with one write.
/// </summary>
/// <remarks>
/// <para>Still linearizable: the grain applies a joined batch's operations one after another, as it would separate
/// calls arriving in that order, and answers each caller once what it saw is stored. Only callers whose operations
/// were in flight at the same time are joined, and those had no order between them anyway; one caller's next call
/// starts after its previous one returned, so it is never reordered.</para>
/// <para>A joined call fails as a whole only where each of its callers' calls would have: the operations are validated
/// before they are queued (<see cref="KvKeys.ValidateOp"/>), so the grain applies every one of them or, when it refuses
/// the call or its storage write fails, none of them is acknowledged.</para>
/// <para>A key with nothing in flight is sent at once, with no wait and no extra allocation beyond its lane.</para>
/// </remarks>
internal sealed class KvKeyCalls
{
    /// <summary>Calls in flight per key before callers wait: two, so one is delivered while the other is stored.</summary>
    internal const int MaxInFlight = 2;

    /// <summary>Most operations a joined call carries; the rest go in the next one.</summary>
    internal const int MaxJoinedOps = 1024;

    private readonly ConcurrentDictionary<(string Ns, string Key), Lane> lanes = new();

    /// <summary>Applies <paramref name="ops"/> (validated) to the key's grain, joined with other callers' operations on the key in flight.</summary>
    public Task<KvOpResult[]> ExecuteAsync(string ns, string key, IKvKeyGrain grain, KvOp[] ops)
    {
        var id = (ns, key);
        while (true)
        {
            var lane = lanes.GetOrAdd(id, static _ => new Lane());
            lock (lane)
            {
                if (lane.Closed)
                {
                    // Emptied and removed while we looked it up: the key's next lane is in the map (or will be).
                    continue;
                }
                if (lane.InFlight < MaxInFlight)
                {
                    lane.InFlight++;
                }
                else
                {
                    var waiter = new Waiter(ops);
                    lane.Queue.Add(waiter);
                    return waiter.Task;
                }
            }
            return SendAsync(id, lane, grain, ops);
        }
    }

    private async Task<KvOpResult[]> SendAsync((string, string) id, Lane lane, IKvKeyGrain grain, KvOp[] ops)
    {
        try
        {
            return await grain.Execute(ops).ConfigureAwait(false);
        }
        finally
        {
            SendNext(id, lane, grain);
        }
    }

    /// <summary>A call of the lane returned: send what queued meanwhile, or close the lane when nothing did.</summary>
    private void SendNext((string, string) id, Lane lane, IKvKeyGrain grain)
    {
        List<Waiter> joined;
        lock (lane)
        {
            if (lane.Queue.Count == 0)
            {
                if (--lane.InFlight == 0)
                {
                    lane.Closed = true;
                    lanes.TryRemove(new KeyValuePair<(string, string), Lane>(id, lane));
                }
                return;
            }
            joined = lane.TakeBatch();
        }
        // Not awaited: the caller whose call just returned gets its answer now, not after the next call.
        _ = SendJoinedAsync(id, lane, grain, joined);
    }

    private async Task SendJoinedAsync((string, string) id, Lane lane, IKvKeyGrain grain, List<Waiter> joined)
    {
        try
        {
            var count = 0;
            foreach (var waiter in joined)
            {
                count += waiter.Ops.Length;
            }
            var ops = new KvOp[count];
            var at = 0;
            foreach (var waiter in joined)
            {
                waiter.Ops.CopyTo(ops, at);
                at += waiter.Ops.Length;
            }
            var results = await grain.Execute(ops).ConfigureAwait(false);
            at = 0;
            foreach (var waiter in joined)
            {
                waiter.TrySetResult(results.AsSpan(at, waiter.Ops.Length).ToArray());
                at += waiter.Ops.Length;
            }
        }
        catch (Exception e)
        {
            foreach (var waiter in joined)
            {
                waiter.TrySetException(e);
            }
        }
        finally
        {
            SendNext(id, lane, grain);
        }
    }

    /// <summary>One key's calls: how many are in flight and who waits for the next one.</summary>
    private sealed class Lane
    {
        public int InFlight;
        public bool Closed;
        public List<Waiter> Queue = [];

        /// <summary>The waiters of the next call: all that queued, up to <see cref="MaxJoinedOps"/> operations (at least one waiter).</summary>
        public List<Waiter> TakeBatch()
        {
            var ops = 0;
            var take = 0;
            while (take < Queue.Count && (take == 0 || ops + Queue[take].Ops.Length <= MaxJoinedOps))
            {
                ops += Queue[take].Ops.Length;
                take++;
            }
            if (take == Queue.Count)
            {
                var all = Queue;
                Queue = [];
                return all;
            }
            var batch = Queue.GetRange(0, take);
            Queue.RemoveRange(0, take);
            return batch;
        }
    }

    /// <summary>A caller's operations waiting for the next call, and its answer.</summary>
    private sealed class Waiter(KvOp[] ops) : TaskCompletionSource<KvOpResult[]>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public KvOp[] Ops { get; } = ops;
    }
}
