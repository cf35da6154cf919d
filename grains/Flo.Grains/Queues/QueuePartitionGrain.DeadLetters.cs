using Flo.Queues;
using Microsoft.Extensions.Logging;

namespace Flo.Grains.Queues;

/// <summary>The partition's dead letters: messages that ran out of deliveries or were nacked to the DLQ.</summary>
public sealed partial class QueuePartitionGrain
{
    /// <inheritdoc/>
    public Task<DlqMessage[]> DlqList(int limit, long afterSeq)
    {
        EnsureUsable();
        QueueLimits.ValidateCount(limit, "Limit");
        Advance(Now);
        var result = new List<DlqMessage>(Math.Min(limit, deadLocals.Count));
        foreach (var local in deadLocals)
        {
            if (QueueLimits.ToSeq(local, partition) <= afterSeq)
            {
                continue;
            }
            var r = messages[local];
            result.Add(new DlqMessage
            {
                Seq = QueueLimits.ToSeq(local, partition),
                Payload = r.Payload,
                Priority = r.Priority,
                Deliveries = r.Deliveries,
                LastError = r.LastError,
                DeadAtMs = r.DeadAtMs,
                EnqueuedAtMs = r.EnqueuedAtMs,
            });
            if (result.Count == limit)
            {
                break;
            }
        }
        return Task.FromResult(result.ToArray());
    }

    /// <inheritdoc/>
    public async Task<int> DlqRequeue(long[] seqs)
    {
        EnsureUsable();
        var now = Now;
        Advance(now);
        List<QueueMessageRecord> records = seqs is null || seqs.Length == 0
            ? [.. deadLocals.Select(l => messages[l])]
            : Find(seqs, "requeue from the DLQ", static r => r.Status == QueueMessageStatus.Dead);
        foreach (var record in records)
        {
            deadLocals.Remove(record.Local);
            deadByOrder.Remove(record.DeadOrder);
            record.Deliveries = 0;
            record.DeadOrder = 0;
            record.DeadAtMs = 0;
            MakeReady(record, now, now);
        }
        ServeWaiters(now);
        await CommitAsync();
        return records.Count;
    }

    private void Kill(QueueMessageRecord record, string error, long now)
    {
        visible.Remove(record);
        record.Status = QueueMessageStatus.Dead;
        record.LeaseExpiresAtMs = 0;
        record.LastError = error;
        record.DeadAtMs = now;
        record.DeadOrder = state.State.NextDeadOrder++;
        deadLocals.Add(record.Local);
        deadByOrder[record.DeadOrder] = record.Local;
        state.StageRecord(record.Local, record);
        while (deadLocals.Count > Settings.DlqMaxSize && deadByOrder.Count > 0)
        {
            // The DLQ is bounded: the oldest dead letter goes, and is counted.
            var (order, oldest) = deadByOrder.First();
            deadByOrder.Remove(order);
            deadLocals.Remove(oldest);
            Forget(messages[oldest]);
            state.State.DlqDropped++;
        }
    }
}
