

namespace Flo.Queues;

/// <summary>
/// The queue operations over partition grains, shared by the client facade and the HTTP API so both validate, route
/// and report errors alike.
/// </summary>
/// <remarks>
/// <para>Partitions: a queue has 1 (default) to <see cref="QueueLimits.MaxPartitions"/> partition grains; the count is
/// kept by partition 0 and read here once per 10 s. Enqueues without a dedup key go round-robin over partitions; with
/// one, to the partition its hash picks, so the dedup window holds queue-wide. Priority order and FIFO within a priority
/// hold per partition; across partitions a dequeue serves partitions in rotation, so consumers spread evenly and no
/// partition starves.</para>
/// <para>Long polls: with one partition the dequeue waits in the partition's first-come, first-served line; with more,
/// it waits (leasing nothing) until any partition has a visible message, then tries them all again. Waits inside a grain
/// are at most 10 s each; this loop asks again until the caller's block time is used up.</para>
/// </remarks>
public sealed class QueueApi(IGrainFactory grains)
{
    private readonly PartitionCountCache layouts = new();
    private int roundRobin;

    /// <summary>Enqueues a message; returns its sequence number (with a dedup key seen in the window: the first one's).</summary>
    public async Task<long> EnqueueAsync(string ns, string name, byte[] payload, int priority = 0, long delayMs = 0, string? dedupKey = null, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        var item = new QueueEnqueueItem { Payload = payload, Priority = priority, DelayMs = delayMs, DedupKey = dedupKey };
        QueueLimits.ValidateItem(item);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var partition = partitions == 1 ? 0
            : dedupKey is not null ? (int)(StableHash.Of(dedupKey) % (uint)partitions)
            : (int)((uint)Interlocked.Increment(ref roundRobin) % (uint)partitions);
        var seqs = await Partition(ns, name, partition).Enqueue([item]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return seqs[0];
    }

    /// <summary>
    /// Leases up to <paramref name="count"/> messages for <paramref name="visibilityTimeoutMs"/> (0: the queue's default);
    /// waits up to <paramref name="blockMs"/> when none is visible. Returns an empty list when the time is up.
    /// </summary>
    public async Task<IReadOnlyList<QueueMessage>> DequeueAsync(string ns, string name, int count = 1, int blockMs = 0, long visibilityTimeoutMs = 0, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        QueueLimits.ValidateCount(count);
        QueueLimits.ValidateRange(blockMs, QueueLimits.MaxBlockMs, "BlockMs");
        QueueLimits.ValidateRange(visibilityTimeoutMs, QueueLimits.MaxVisibilityTimeoutMs, "VisibilityTimeoutMs");
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var deadline = Environment.TickCount64 + blockMs;
        if (partitions == 1)
        {
            var grain = Partition(ns, name, 0);
            while (true)
            {
                var remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
                var taken = await grain.Dequeue(count, visibilityTimeoutMs, remaining, cancellationToken).ConfigureAwait(false);
                if (taken.Length > 0 || remaining < 20)
                {
                    return taken;
                }
            }
        }
        while (true)
        {
            var result = new List<QueueMessage>();
            var start = (int)((uint)Interlocked.Increment(ref roundRobin) % (uint)partitions);
            for (var i = 0; i < partitions && result.Count < count; i++)
            {
                var taken = await Partition(ns, name, (start + i) % partitions).Dequeue(count - result.Count, visibilityTimeoutMs, 0).WaitAsync(cancellationToken).ConfigureAwait(false);
                result.AddRange(taken);
            }
            var remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
            if (result.Count > 0 || remaining < 20)
            {
                return result;
            }
            await Task.WhenAny(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).WaitForVisible(remaining, cancellationToken)))
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Acks (removes) messages. Throws <see cref="MessageNotFoundException"/> when one is not in the queue; that partition then changes nothing.</summary>
    public Task AckAsync(string ns, string name, IReadOnlyCollection<long> seqs, CancellationToken cancellationToken = default)
    {
        if (seqs is { Count: 0 })
        {
            // Acking nothing (an empty batch from a dequeue) changes nothing: no call, no error.
            Validate(ns, name);
            return Task.CompletedTask;
        }
        return PerPartitionAsync(ns, name, seqs, (grain, part) => grain.Ack(part), cancellationToken);
    }

    /// <summary>Nacks messages: visible again (after <see cref="QueueNack.DelayMs"/>) or to the DLQ.</summary>
    public Task NackAsync(string ns, string name, IReadOnlyCollection<long> seqs, QueueNack? nack = null, CancellationToken cancellationToken = default)
    {
        nack ??= new QueueNack();
        QueueLimits.ValidateRange(nack.DelayMs, QueueLimits.MaxDelayMs, "DelayMs");
        if (seqs is { Count: 0 })
        {
            Validate(ns, name);
            return Task.CompletedTask;
        }
        return PerPartitionAsync(ns, name, seqs, (grain, part) => grain.Nack(part, nack), cancellationToken);
    }

    /// <summary>Extends leases by <paramref name="visibilityTimeoutMs"/> from now (0: each lease's own length); returns the new expiry.</summary>
    public async Task<long> TouchAsync(string ns, string name, IReadOnlyCollection<long> seqs, long visibilityTimeoutMs = 0, CancellationToken cancellationToken = default)
    {
        QueueLimits.ValidateRange(visibilityTimeoutMs, QueueLimits.MaxVisibilityTimeoutMs, "VisibilityTimeoutMs");
        long latest = 0;
        await PerPartitionAsync(ns, name, seqs, async (grain, part) =>
        {
            var expiry = await grain.Touch(part, visibilityTimeoutMs).ConfigureAwait(false);
            InterlockedMax(ref latest, expiry);
        }, cancellationToken).ConfigureAwait(false);
        return latest;
    }

    /// <summary>Up to <paramref name="count"/> visible messages, not leased (per partition in dequeue order, partitions in turn).</summary>
    public async Task<IReadOnlyList<QueueMessage>> PeekAsync(string ns, string name, int count = 10, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        QueueLimits.ValidateCount(count);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var pages = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).Peek(count))).WaitAsync(cancellationToken).ConfigureAwait(false);
        return pages.Length == 1 ? pages[0] : [.. pages.SelectMany(p => p).OrderByDescending(m => m.Priority).ThenBy(m => m.EnqueuedAtMs).ThenBy(m => m.Seq).Take(count)];
    }

    /// <summary>Dead letters in sequence order, up to <paramref name="limit"/> after <paramref name="afterSeq"/> (0: from the start).</summary>
    public async Task<IReadOnlyList<DlqMessage>> DlqListAsync(string ns, string name, int limit = 100, long afterSeq = 0, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        QueueLimits.ValidateCount(limit, "Limit");
        if (afterSeq < 0)
        {
            throw new QueueArgumentException($"AfterSeq must not be negative; got {afterSeq}.");
        }
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var pages = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).DlqList(limit, afterSeq))).WaitAsync(cancellationToken).ConfigureAwait(false);
        return pages.Length == 1 ? pages[0] : [.. pages.SelectMany(p => p).OrderBy(m => m.Seq).Take(limit)];
    }

    /// <summary>Moves dead letters back with a fresh delivery count; an empty list moves all of them. Returns how many moved.</summary>
    public async Task<int> DlqRequeueAsync(string ns, string name, IReadOnlyCollection<long>? seqs = null, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        if (seqs is null || seqs.Count == 0)
        {
            var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
            var moved = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).DlqRequeue([]))).WaitAsync(cancellationToken).ConfigureAwait(false);
            return moved.Sum();
        }
        var total = 0;
        await PerPartitionAsync(ns, name, seqs, async (grain, part) => Interlocked.Add(ref total, await grain.DlqRequeue(part).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return total;
    }

    /// <summary>Depth, in flight and DLQ counts summed over the partitions.</summary>
    public async Task<QueueStats> StatsAsync(string ns, string name, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var all = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).Stats())).WaitAsync(cancellationToken).ConfigureAwait(false);
        return all.Aggregate((a, b) => a.Add(b));
    }

    /// <summary>The queue's settings (defaults for a queue never configured).</summary>
    public Task<QueueSettings> GetSettingsAsync(string ns, string name, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        return Partition(ns, name, 0).GetSettings().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Changes the queue's settings. Partitions may grow (new partitions start empty), never shrink: messages in a removed
    /// partition would be stranded.
    /// </summary>
    public async Task ConfigureAsync(string ns, string name, QueueSettings settings, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        QueueSettingsValidator.Validate(settings);
        var current = await GetSettingsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (settings.Partitions < current.Partitions)
        {
            throw new QueueArgumentException($"Queue {ns}/{name} has {current.Partitions} partitions; partitions can be added, not removed.");
        }
        await Partition(ns, name, 0).Configure(settings).WaitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(Enumerable.Range(1, settings.Partitions - 1).Select(p => Partition(ns, name, p).Configure(settings))).WaitAsync(cancellationToken).ConfigureAwait(false);
        layouts.Set(ns, name, settings.Partitions);
    }

    private async Task PerPartitionAsync(string ns, string name, IReadOnlyCollection<long> seqs, Func<IQueuePartitionGrain, long[], Task> call, CancellationToken cancellationToken)
    {
        Validate(ns, name);
        QueueLimits.ValidateSeqs(seqs);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var foreign = seqs.Where(s => QueueLimits.PartitionOf(s) >= partitions).ToList();
        if (foreign.Count > 0)
        {
            throw new MessageNotFoundException($"Queue {ns}/{name}: message(s) {string.Join(", ", foreign.Take(20))} were never issued by it (it has {partitions} partition(s)); nothing was changed.");
        }
        var groups = seqs.GroupBy(QueueLimits.PartitionOf).ToList();
        if (groups.Count == 1)
        {
            await call(Partition(ns, name, groups[0].Key), [.. groups[0]]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await Task.WhenAll(groups.Select(g => call(Partition(ns, name, g.Key), [.. g]))).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<int> PartitionsAsync(string ns, string name, CancellationToken cancellationToken)
        => layouts.GetAsync(ns, name, async () => (await Partition(ns, name, 0).GetSettings().ConfigureAwait(false)).Partitions, cancellationToken);

    private IQueuePartitionGrain Partition(string ns, string name, int partition)
        => grains.GetGrainByKey<IQueuePartitionGrain>(QueueLimits.PartitionKey(ns, name, partition));

    private static void Validate(string ns, string name)
    {
        if (Kv.KvKeys.NamespaceError(ns) is { } error)
        {
            throw new QueueArgumentException(error);
        }
        QueueLimits.ValidateName(name);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
