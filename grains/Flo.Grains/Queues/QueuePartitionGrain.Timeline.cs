using Flo.Grains.Diagnostics;
using Flo.Queues;
using Microsoft.Extensions.Logging;

namespace Flo.Grains.Queues;

/// <summary>
/// The partition's timeline: where delays end and leases expire. A 50 ms grain timer advances it while anything is
/// timed; a reminder brings the partition back after a silo loss so expired leases are redelivered (or dead-lettered)
/// even if no consumer asks.
/// </summary>
public sealed partial class QueuePartitionGrain
{
    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName || commits!.IsBroken)
        {
            return;
        }
        Advance(Now);
        if (Timeline.Count == 0)
        {
            // Nothing leased or delayed: no reason to come back after a silo loss.
            await Recovery.DropAsync();
        }
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ticker?.Dispose();
        gauges?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Delay and lease ends, rebuilt from the timed messages when acks left it mostly stale.</summary>
    private DueQueue<long> Timeline => timeline ??= new(() => messages.Count, TimedMessages);

    /// <summary>Queues a message's next due time (end of delay or of lease).</summary>
    private void Schedule(long local, long due) => Timeline.Schedule(local, due);

    /// <summary>Messages waiting for a delay or a lease to end, with that time: what the timeline is rebuilt from.</summary>
    private IEnumerable<(long, long)> TimedMessages()
    {
        foreach (var record in messages.Values)
        {
            if (record.Status == QueueMessageStatus.Leased)
            {
                yield return (record.Local, record.LeaseExpiresAtMs);
            }
            else if (record.Status == QueueMessageStatus.Ready && !visible.Contains(record))
            {
                yield return (record.Local, record.VisibleAtMs);
            }
        }
    }

    /// <summary>
    /// Moves what is due: delayed messages become visible, expired leases are redelivered or (after the last allowed
    /// delivery) dead-lettered, ended dedup windows are forgotten. Changes are staged and stored in the background:
    /// nobody was promised anything about them, and any operation that builds on them waits for their write.
    /// </summary>
    private void Advance(long now)
    {
        var staged = state.StagedRecordCount;
        var madeVisible = false;
        while (Timeline.TryTakeDue(now, out var local, out var due))
        {
            if (!messages.TryGetValue(local, out var record))
            {
                continue;
            }
            if (record.Status == QueueMessageStatus.Ready && record.VisibleAtMs == due)
            {
                madeVisible |= visible.Add(record);
            }
            else if (record.Status == QueueMessageStatus.Leased && record.LeaseExpiresAtMs == due)
            {
                FloInstruments.QueueLeaseExpiries.Add(1, metricTags);
                if (record.Deliveries >= Settings.MaxDeliveries)
                {
                    Kill(record, record.LastError ?? $"lease expired after {record.Deliveries} deliveries", now);
                }
                else
                {
                    MakeReady(record, now, now);
                    madeVisible = true;
                }
            }
        }
        while (dedupExpiries.TryPeek(out var entry, out var until) && until <= now)
        {
            dedupExpiries.Dequeue();
            if (dedup.TryGetValue(entry.Key, out var local) && local == entry.Local && messages[local].DedupUntilMs <= now)
            {
                dedup.Remove(entry.Key);
                if (messages[local].Status == QueueMessageStatus.Done)
                {
                    messages.Remove(local);
                    state.StageRecordDeletion(local);
                }
            }
        }
        if (madeVisible)
        {
            ServeWaiters(now);
        }
        if (state.StagedRecordCount != staged && !(commits?.IsWriting ?? false))
        {
            _ = commits!.CommitInBackgroundAsync();
        }
    }

    /// <summary>Keeps the 50 ms timer running while anything is timed, and the durable reminder registered.</summary>
    private void EnsureTimeline()
    {
        if ((Timeline.Count > 0 || dedupExpiries.Count > 0) && ticker is null)
        {
            ticker = this.RegisterGrainTimer(Tick, TickPeriod, TickPeriod);
        }
        if (Timeline.Count > 0)
        {
            Recovery.Ensure();
        }
    }

    private Task Tick(CancellationToken cancellationToken)
    {
        if (!commits!.IsBroken)
        {
            Advance(Now);
            if (state.StagedRecordCount > 0 && !commits.IsWriting)
            {
                // Timeline changes staged while another write was in flight.
                _ = commits.CommitInBackgroundAsync();
            }
        }
        if (Timeline.Count == 0 && dedupExpiries.Count == 0)
        {
            ticker?.Dispose();
            ticker = null;
        }
        return Task.CompletedTask;
    }

    private RecoveryReminder Recovery => recovery ??= new(this, ReminderName, e => LogReminderFailed(logger, e, name, partition));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} partition {Partition}: could not register its timeline reminder")]
    private static partial void LogReminderFailed(ILogger logger, Exception error, string queue, int partition);
}
