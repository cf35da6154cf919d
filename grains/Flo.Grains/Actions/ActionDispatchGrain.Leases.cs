using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// Where a run's lease ends: the partition's timeline of delays and retry waits ending, leases ending (no heartbeat
/// within the lease, or the attempt's timeout passed) and retention ending. A one-shot grain timer is armed for the
/// next due time (at most a second ahead); a reminder brings the partition back after a silo loss so leases held there
/// still end and retries still start when no worker asks.
/// </summary>
public sealed partial class ActionDispatchGrain
{
    /// <summary>The reminder that reactivates a partition holding runs after a silo loss.</summary>
    public const string ReminderName = "action-timeline";

    /// <summary>The lease length used when adopting an attempt whose worker never told this partition its own.</summary>
    private const long DefaultLeaseMs = 10_000;

    /// <summary>The timer never sleeps longer than this, so a clock that jumps (or a fake one in tests) is noticed.</summary>
    private const long MaxTimerSleepMs = 1_000;

    private readonly HashSet<long> reclaiming = [];
    private DueQueue<long>? timeline;
    private IGrainTimer? timer;
    private long armedFor = long.MaxValue;
    private RecoveryReminder? recovery;

    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName || commits!.IsBroken)
        {
            return;
        }
        Advance(Now);
        if (entries.Count == 0)
        {
            await Recovery.DropAsync();
        }
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        timer?.Dispose();
        return Task.CompletedTask;
    }

    private DueQueue<long> Timeline => timeline ??= new(() => entries.Count, TimedEntries);

    /// <summary>When an entry falls due now, or null when it waits for nothing (ready, being created or started).</summary>
    private long? DueOf(DispatchEntry entry) => entry.Status switch
    {
        RunStatus.Pending or RunStatus.Retrying when !ready.Contains(entry) && !creating.ContainsKey(entry.Local) => OfferableAtMs(entry),
        RunStatus.Running => entry.LeaseDueMs,
        RunStatus.Pending or RunStatus.Retrying => null,
        _ => entry.ExpiresAtMs,
    };

    private IEnumerable<(long, long)> TimedEntries()
    {
        foreach (var entry in entries.Values)
        {
            if (DueOf(entry) is { } due)
            {
                yield return (entry.Local, due);
            }
        }
    }

    /// <summary>
    /// Moves what is due: waits that ended make runs ready, ended leases are taken back (the run decides: retry,
    /// timed out, or already finished), ended retentions remove the run. Staged changes are stored in the background.
    /// </summary>
    private void Advance(long now)
    {
        var staged = state.StagedRecordCount;
        var madeReady = false;
        while (Timeline.TryTakeDue(now, out var local, out var due))
        {
            if (!entries.TryGetValue(local, out var entry) || DueOf(entry) != due)
            {
                continue;
            }
            switch (entry.Status)
            {
                case RunStatus.Pending or RunStatus.Retrying:
                    madeReady |= ready.Add(entry);
                    break;
                case RunStatus.Running when starting.Contains(local) || reclaiming.Contains(local):
                    // Its run is being asked right now; look again shortly.
                    Timeline.Schedule(local, now + 200);
                    break;
                case RunStatus.Running:
                    _ = ReclaimAsync(entry, now >= entry.DeadlineMs ? LeaseLossReason.Timeout : LeaseLossReason.HeartbeatLost);
                    break;
                default:
                    Forget(entry);
                    _ = PurgeAsync(entry.RunId);
                    break;
            }
        }
        if (madeReady)
        {
            ServeWaiters(now);
        }
        if (state.StagedRecordCount != staged && !(commits?.IsWriting ?? false))
        {
            _ = commits!.CommitInBackgroundAsync();
        }
        Arm();
    }

    /// <summary>Takes an attempt back from its worker: the run records the loss and says what it is now.</summary>
    private async Task ReclaimAsync(DispatchEntry entry, LeaseLossReason reason)
    {
        if (!reclaiming.Add(entry.Local))
        {
            return;
        }
        RunAnswer answer;
        try
        {
            answer = await Run(entry.RunId).LoseLease(entry.Attempt, reason);
        }
        catch (Exception e)
        {
            LogReclaimFailed(logger, e, ns, action, entry.RunId);
            reclaiming.Remove(entry.Local);
            if (entries.ContainsKey(entry.Local) && entry.Status == RunStatus.Running)
            {
                entry.LeaseExpiresAtMs = Now + 1_000;
                Timeline.Schedule(entry.Local, entry.LeaseDueMs);
                Arm();
            }
            return;
        }
        reclaiming.Remove(entry.Local);
        if (!entries.ContainsKey(entry.Local) || commits!.IsBroken)
        {
            return;
        }
        var now = Now;
        Apply(entry, answer, now);
        EnsureTimeline();
        ServeWaiters(now);
        await commits.CommitInBackgroundAsync();
    }

    private async Task PurgeAsync(string runId)
    {
        try
        {
            await Run(runId).Purge();
        }
        catch (Exception e)
        {
            // The partition forgot the run; its grain state stays until purged by hand (logged).
            LogPurgeFailed(logger, e, ns, action, runId);
        }
    }

    /// <summary>Arms the timer for the next due time, and keeps the reminder registered while the partition holds runs.</summary>
    private void EnsureTimeline()
    {
        Arm();
        if (entries.Count > 0)
        {
            Recovery.Ensure();
        }
    }

    private void Arm()
    {
        if (!Timeline.TryPeekDue(out var due) || (timer is not null && due >= armedFor))
        {
            return;
        }
        var now = Now;
        armedFor = Math.Min(due, now + MaxTimerSleepMs);
        var delay = TimeSpan.FromMilliseconds(Math.Max(1, armedFor - now));
        if (timer is null)
        {
            timer = this.RegisterGrainTimer(OnTimer, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private Task OnTimer(CancellationToken cancellationToken)
    {
        armedFor = long.MaxValue;
        if (!commits!.IsBroken)
        {
            Advance(Now);
        }
        return Task.CompletedTask;
    }

    private RecoveryReminder Recovery => recovery ??= new(this, ReminderName, e => LogReminderFailed(logger, e, ns, action, partition));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Action {Namespace}/{Action}: taking back run {RunId} failed; trying again in a second")]
    private static partial void LogReclaimFailed(ILogger logger, Exception error, string @namespace, string action, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Action {Namespace}/{Action}: run {RunId} was forgotten after its retention, but its grain state could not be removed")]
    private static partial void LogPurgeFailed(ILogger logger, Exception error, string @namespace, string action, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Action {Namespace}/{Action} partition {Partition}: could not register its timeline reminder")]
    private static partial void LogReminderFailed(ILogger logger, Exception error, string @namespace, string action, int partition);
}
