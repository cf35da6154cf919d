using Flo.Grains.Diagnostics;
using Flo.Kv;
using Flo.Queues;
using Microsoft.Extensions.Logging;

namespace Flo.Grains.Queues;

/// <summary>
/// One partition of a queue. Every message is a record beside a small partition state (storage writes cost the
/// messages that changed); the activation keeps them all in memory with the indexes a dequeue needs: the visible
/// messages ordered by priority then sequence, a timeline of delays and lease expiries, the dead letters and the dedup
/// keys.
/// </summary>
/// <remarks>
/// <para>The grain is reentrant and every operation changes memory synchronously (one thread at a time), then waits for
/// a group commit: operations arriving while a write is in flight are stored together by the next one, and nobody hears
/// "done" before their change is durable. A failed write leaves memory ahead of storage, so the partition refuses
/// further work and deactivates; the next activation reloads what was stored.</para>
/// <para>Lease expiry and delays: a 50 ms grain timer moves due messages while the partition has any; a durable reminder
/// (<see cref="ReminderName"/>) reactivates the partition after a silo loss so expired leases are redelivered or
/// dead-lettered even if no consumer asks. Stored leases carry absolute expiry times, so a reactivated partition
/// honours them as they were.</para>
/// <para>Long polls wait in a first-come, first-served line without holding the turn; a message made visible goes to the
/// waiter at the head, leased before the waiter is woken, so it reaches exactly one consumer.</para>
/// </remarks>
[Reentrant]
[GrainType("queue")]
public sealed partial class QueuePartitionGrain(
    [StateWithRecords("queue", FloStorage.Name)] IStateWithRecords<QueuePartitionState> state,
    TimeProvider time,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<QueuePartitionGrain> logger) : Grain, IQueuePartitionGrain, IRemindable
{
    /// <summary>The reminder that brings a partition with leases or delayed messages back after a silo loss.</summary>
    public const string ReminderName = "queue-timeline";

    /// <summary>Longest single wait inside the grain; the API asks again until the caller's block time is used up.</summary>
    internal const int MaxGrainWaitMs = GrainWaits.MaxWaitMs;

    private const int LoadPageSize = 10_000;
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<long, QueueMessageRecord> messages = [];
    private readonly SortedSet<QueueMessageRecord> visible = new(VisibleOrder.Instance);
    private DueQueue<long>? timeline;
    private readonly SortedDictionary<long, long> deadByOrder = [];
    private readonly SortedSet<long> deadLocals = [];
    private readonly Dictionary<string, long> dedup = new(StringComparer.Ordinal);
    private readonly PriorityQueue<(string Key, long Local), long> dedupExpiries = new();
    private readonly LinkedList<Waiter> waiters = new();
    private readonly List<TaskCompletionSource<bool>> visibilityWatchers = [];
    private GuardedCommit? commits;
    private IGrainTimer? ticker;
    private RecoveryReminder? recovery;
    private int partition;
    private string ns = "", queue = "";
    private KeyValuePair<string, object?>[] metricTags = [];
    private PartitionGauges? gauges;
    private string name = "";

    private QueueSettings Settings => state.State.Settings;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, queue, var p) = QueueLimits.SplitPartitionKey(this.GetPrimaryKeyString());
        partition = p;
        name = $"{ns}/{queue}";
        commits = new GuardedCommit(() => state.WriteStateAsync(), $"Queue {name} partition {p}", error =>
        {
            LogWriteFailed(logger, error, name, partition);
            ReleaseWaiters();
            DeactivateOnIdle();
        });
        if (p != 0 && !state.RecordExists)
        {
            // A new partition takes the queue's settings from partition 0, the authority.
            state.State.Settings = await GrainFactory.GetGrain<IQueuePartitionGrain>(QueueLimits.PartitionKey(ns, queue, 0)).GetSettings();
        }
        var now = Now;
        var after = long.MinValue;
        while (true)
        {
            var page = await state.ReadRecordsAsync<QueueMessageRecord>(after, LoadPageSize, cancellationToken);
            foreach (var (_, record) in page)
            {
                Load(record, now);
            }
            if (page.Count < LoadPageSize)
            {
                break;
            }
            after = page[^1].Key;
        }
        EnsureTimeline();
        metricTags = FloInstruments.Tags(ns, "queue", queue, new KeyValuePair<string, object?>("partition", partition));
        gauges = new PartitionGauges(metricTags);
        this.RegisterGrainTimer(() => { RefreshGauges(); return Task.CompletedTask; }, PartitionGauges.Period, PartitionGauges.Period);
        RefreshGauges();
    }

    /// <inheritdoc/>
    public async Task<long[]> Enqueue(QueueEnqueueItem[] items)
    {
        EnsureUsable();
        if (items is null || items.Length == 0)
        {
            throw new QueueArgumentException("Nothing to enqueue.");
        }
        QueueLimits.ValidateCount(items.Length, "Number of messages");
        foreach (var item in items)
        {
            QueueLimits.ValidateItem(item);
        }
        await CatalogAsync();
        EnsureUsable();
        var now = Now;
        Advance(now);
        var seqs = new long[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item.DedupKey is { } key && dedup.TryGetValue(key, out var existing) && messages[existing].DedupUntilMs > now)
            {
                seqs[i] = QueueLimits.ToSeq(existing, partition);
                continue;
            }
            var record = new QueueMessageRecord
            {
                Local = state.State.NextLocal++,
                Payload = item.Payload,
                Priority = item.Priority,
                EnqueuedAtMs = now,
            };
            if (item.DedupKey is { } dedupKey)
            {
                record.DedupKey = dedupKey;
                record.DedupUntilMs = now + Settings.DedupWindowMs;
                dedup[dedupKey] = record.Local;
                dedupExpiries.Enqueue((dedupKey, record.Local), record.DedupUntilMs);
            }
            messages.Add(record.Local, record);
            MakeReady(record, now + item.DelayMs, now);
            seqs[i] = QueueLimits.ToSeq(record.Local, partition);
        }
        EnsureTimeline();
        // Waiters may be handed these messages now: their dequeue returns only after the write carrying this enqueue.
        ServeWaiters(now);
        await CommitAsync();
        return seqs;
    }

    /// <inheritdoc/>
    public async Task<QueueMessage[]> Dequeue(int count, long visibilityTimeoutMs, int blockMs, CancellationToken cancellationToken)
    {
        EnsureUsable();
        QueueLimits.ValidateCount(count);
        QueueLimits.ValidateRange(visibilityTimeoutMs, QueueLimits.MaxVisibilityTimeoutMs, "VisibilityTimeoutMs");
        QueueLimits.ValidateRange(blockMs, QueueLimits.MaxBlockMs, "BlockMs");
        var lease = visibilityTimeoutMs > 0 ? visibilityTimeoutMs : Settings.DefaultVisibilityTimeoutMs;
        var now = Now;
        Advance(now);
        QueueMessage[] taken;
        if (visible.Count > 0 && waiters.Count == 0)
        {
            taken = Take(count, lease, now);
        }
        else if (blockMs == 0)
        {
            return [];
        }
        else
        {
            var waiter = new Waiter(count, lease);
            var node = waiters.AddLast(waiter);
            using var wait = WaitCancellation.Link(cancellationToken, lifetime);
            var timeout = Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, MaxGrainWaitMs)), time, wait.Token);
            await Task.WhenAny(waiter.Served.Task, timeout);
            if (!waiter.Served.Task.IsCompleted)
            {
                // Timed out (or the partition is moving): leave the line; nothing was leased for this waiter.
                waiters.Remove(node);
                return [];
            }
            taken = await waiter.Served.Task;
        }
        EnsureTimeline();
        await CommitAsync();
        return taken;
    }

    /// <inheritdoc/>
    public async Task Ack(long[] seqs)
    {
        EnsureUsable();
        var now = Now;
        Advance(now);
        var records = Find(seqs, "ack", static r => r.Status is QueueMessageStatus.Ready or QueueMessageStatus.Leased);
        foreach (var record in records)
        {
            Remove(record, now);
        }
        await CommitAsync();
    }

    /// <inheritdoc/>
    public async Task Nack(long[] seqs, QueueNack nack)
    {
        EnsureUsable();
        ArgumentNullException.ThrowIfNull(nack);
        QueueLimits.ValidateRange(nack.DelayMs, QueueLimits.MaxDelayMs, "DelayMs");
        var now = Now;
        Advance(now);
        var records = Find(seqs, "nack", static r => r.Status is QueueMessageStatus.Ready or QueueMessageStatus.Leased);
        var error = Truncate(nack.Error);
        foreach (var record in records)
        {
            if (error is not null)
            {
                record.LastError = error;
            }
            visible.Remove(record);
            if (nack.ToDlq || record.Deliveries >= Settings.MaxDeliveries)
            {
                Kill(record, error ?? (nack.ToDlq ? "nacked to the DLQ" : $"failed after {record.Deliveries} deliveries"), now);
            }
            else
            {
                MakeReady(record, now + nack.DelayMs, now);
            }
        }
        EnsureTimeline();
        ServeWaiters(now);
        await CommitAsync();
    }

    /// <inheritdoc/>
    public async Task<long> Touch(long[] seqs, long visibilityTimeoutMs)
    {
        EnsureUsable();
        QueueLimits.ValidateRange(visibilityTimeoutMs, QueueLimits.MaxVisibilityTimeoutMs, "VisibilityTimeoutMs");
        var now = Now;
        Advance(now);
        var records = Find(seqs, "touch", static r => r.Status is QueueMessageStatus.Ready or QueueMessageStatus.Leased);
        var lost = records.Where(r => r.Status != QueueMessageStatus.Leased).Select(r => QueueLimits.ToSeq(r.Local, partition)).ToList();
        if (lost.Count > 0)
        {
            throw new LeaseExpiredException($"Queue {name}: the lease of message(s) {string.Join(", ", lost)} already ended; nothing was touched.");
        }
        long latest = 0;
        foreach (var record in records)
        {
            record.LeaseExpiresAtMs = now + (visibilityTimeoutMs > 0 ? visibilityTimeoutMs : record.LeaseTimeoutMs);
            Schedule(record.Local, record.LeaseExpiresAtMs);
            state.StageRecord(record.Local, record);
            latest = Math.Max(latest, record.LeaseExpiresAtMs);
        }
        await CommitAsync();
        return latest;
    }

    /// <inheritdoc/>
    public Task<QueueMessage[]> Peek(int count)
    {
        EnsureUsable();
        QueueLimits.ValidateCount(count);
        Advance(Now);
        return Task.FromResult(visible.Take(count).Select(r => ToMessage(r, 0)).ToArray());
    }

    private void Load(QueueMessageRecord record, long now)
    {
        messages[record.Local] = record;
        switch (record.Status)
        {
            case QueueMessageStatus.Ready when record.VisibleAtMs <= now:
                visible.Add(record);
                break;
            case QueueMessageStatus.Ready:
                Schedule(record.Local, record.VisibleAtMs);
                break;
            case QueueMessageStatus.Leased:
                Schedule(record.Local, record.LeaseExpiresAtMs);
                break;
            case QueueMessageStatus.Dead:
                deadLocals.Add(record.Local);
                deadByOrder[record.DeadOrder] = record.Local;
                break;
        }
        if (record.DedupKey is { } key)
        {
            dedup[key] = record.Local;
            dedupExpiries.Enqueue((key, record.Local), record.DedupUntilMs);
        }
    }

    private QueueMessage[] Take(int count, long leaseMs, long now)
    {
        var taken = new QueueMessage[Math.Min(count, visible.Count)];
        for (var i = 0; i < taken.Length; i++)
        {
            var record = visible.Min!;
            visible.Remove(record);
            record.Status = QueueMessageStatus.Leased;
            record.Deliveries++;
            record.LeaseTimeoutMs = leaseMs;
            record.LeaseExpiresAtMs = now + leaseMs;
            Schedule(record.Local, record.LeaseExpiresAtMs);
            state.StageRecord(record.Local, record);
            taken[i] = ToMessage(record, record.LeaseExpiresAtMs);
        }
        return taken;
    }

    private void MakeReady(QueueMessageRecord record, long visibleAt, long now)
    {
        record.Status = QueueMessageStatus.Ready;
        record.LeaseExpiresAtMs = 0;
        record.VisibleAtMs = Math.Max(visibleAt, now);
        if (record.VisibleAtMs <= now)
        {
            visible.Add(record);
        }
        else
        {
            Schedule(record.Local, record.VisibleAtMs);
        }
        state.StageRecord(record.Local, record);
    }

    /// <summary>An ack: the message goes, except for a bare marker while its dedup key still has to answer.</summary>
    private void Remove(QueueMessageRecord record, long now)
    {
        visible.Remove(record);
        if (record.DedupKey is not null && record.DedupUntilMs > now && dedup.TryGetValue(record.DedupKey, out var local) && local == record.Local)
        {
            record.Status = QueueMessageStatus.Done;
            record.Payload = [];
            record.LeaseExpiresAtMs = 0;
            state.StageRecord(record.Local, record);
            return;
        }
        Forget(record);
    }

    private void Forget(QueueMessageRecord record)
    {
        messages.Remove(record.Local);
        state.StageRecordDeletion(record.Local);
        if (record.DedupKey is { } key && dedup.TryGetValue(key, out var local) && local == record.Local && record.Status != QueueMessageStatus.Done)
        {
            // A dropped dead letter no longer answers for its key.
            dedup.Remove(key);
        }
    }

    /// <summary>The records named by <paramref name="seqs"/>; throws, changing nothing, when one is missing or in the wrong state.</summary>
    private List<QueueMessageRecord> Find(long[] seqs, string operation, Func<QueueMessageRecord, bool> accept)
    {
        QueueLimits.ValidateSeqs(seqs);
        var found = new List<QueueMessageRecord>(seqs.Length);
        List<long>? missing = null;
        var seen = new HashSet<long>();
        foreach (var seq in seqs)
        {
            if (!seen.Add(seq))
            {
                continue;
            }
            if (QueueLimits.PartitionOf(seq) == partition && messages.TryGetValue(QueueLimits.LocalOf(seq), out var record) && accept(record))
            {
                found.Add(record);
            }
            else
            {
                (missing ??= []).Add(seq);
            }
        }
        if (missing is not null)
        {
            throw new MessageNotFoundException($"Queue {name}: cannot {operation} message(s) {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", ..." : "")}: not in the queue (acked, dead-lettered, or never issued); nothing was changed.");
        }
        return found;
    }

    private QueueMessage ToMessage(QueueMessageRecord record, long leaseExpiresAt) => new()
    {
        Seq = QueueLimits.ToSeq(record.Local, partition),
        Payload = record.Payload,
        Priority = record.Priority,
        Deliveries = record.Deliveries,
        LeaseExpiresAtMs = leaseExpiresAt,
        EnqueuedAtMs = record.EnqueuedAtMs,
    };

    private Task CommitAsync() => commits!.CommitAsync();

    private void EnsureUsable() => commits!.EnsureUsable();

    private static string? Truncate(string? error) => error is { Length: > QueueLimits.MaxErrorLength } ? error[..QueueLimits.MaxErrorLength] : error;

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue} partition {Partition}: a storage write failed; the partition deactivates and reloads")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, string queue, int partition);

    /// <summary>Dequeue order: higher priority first, then lower sequence (FIFO within a priority).</summary>
    private sealed class VisibleOrder : IComparer<QueueMessageRecord>
    {
        public static VisibleOrder Instance { get; } = new();

        public int Compare(QueueMessageRecord? x, QueueMessageRecord? y)
        {
            var c = y!.Priority.CompareTo(x!.Priority);
            return c != 0 ? c : x.Local.CompareTo(y.Local);
        }
    }
}
