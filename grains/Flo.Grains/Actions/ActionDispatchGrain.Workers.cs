using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// The workers' side: leases (long polls in a first-come, first-served line), each taken run asked to start its next
/// attempt, heartbeats that keep leases, and runs handed back by stopping workers.
/// </summary>
public sealed partial class ActionDispatchGrain
{
    /// <inheritdoc/>
    public async Task<RunLease[]> Lease(string workerId, int count, long leaseMs, int blockMs, CancellationToken cancellationToken)
    {
        EnsureUsable();
        ActionLimits.ValidateWorkerId(workerId);
        ActionLimits.ValidateRange(count, 1, ActionLimits.MaxBatch, "Count");
        ActionLimits.ValidateRange(leaseMs, MinLeaseMs, ActionLimits.MaxLeaseMs, "LeaseMs");
        ActionLimits.ValidateRange(blockMs, 0, MaxBlockMs, "BlockMs");
        if (Definition is null)
        {
            throw new ActionNotFoundException($"Action '{action}' is not registered in namespace '{ns}'.");
        }
        var now = Now;
        Advance(now);
        List<DispatchEntry> taken;
        if (ready.Count > 0 && waiters.Count == 0)
        {
            taken = Take(count, workerId, leaseMs, now);
        }
        else if (blockMs == 0)
        {
            return [];
        }
        else
        {
            var waiter = new Waiter(workerId, count, leaseMs);
            var node = waiters.AddLast(waiter);
            using var wait = WaitCancellation.Link(cancellationToken, lifetime);
            var timeout = Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, GrainWaits.MaxWaitMs)), time, wait.Token);
            await Task.WhenAny(waiter.Served.Task, timeout);
            if (!waiter.Served.Task.IsCompleted)
            {
                waiters.Remove(node);
                return [];
            }
            taken = await waiter.Served.Task;
        }
        return taken.Count == 0 ? [] : await StartAsync(taken, workerId);
    }

    /// <inheritdoc/>
    public Task<string[]> Heartbeat(string workerId, string[] runIds, long leaseMs)
    {
        ActionLimits.ValidateWorkerId(workerId);
        ArgumentNullException.ThrowIfNull(runIds);
        ActionLimits.ValidateRange(leaseMs, MinLeaseMs, ActionLimits.MaxLeaseMs, "LeaseMs");
        var now = Now;
        List<string>? lost = null;
        foreach (var runId in runIds)
        {
            if (byRun.TryGetValue(runId, out var local) && entries[local] is { Status: RunStatus.Running } entry && entry.WorkerId == workerId)
            {
                // In memory only: a partition that reloads grants every lease a full length from then.
                entry.LeaseMs = leaseMs;
                entry.LeaseExpiresAtMs = now + leaseMs;
                Timeline.Schedule(local, entry.LeaseDueMs);
            }
            else if (!(byRun.TryGetValue(runId, out local) && starting.Contains(local)))
            {
                (lost ??= []).Add(runId);
            }
        }
        return Task.FromResult(lost?.ToArray() ?? []);
    }

    /// <inheritdoc/>
    public async Task Release(string workerId, string[] runIds)
    {
        EnsureUsable();
        ActionLimits.ValidateWorkerId(workerId);
        ArgumentNullException.ThrowIfNull(runIds);
        var held = runIds
            .Select(id => byRun.TryGetValue(id, out var local) ? entries[local] : null)
            .Where(e => e is { Status: RunStatus.Running } && e.WorkerId == workerId)
            .Cast<DispatchEntry>()
            .ToList();
        await Task.WhenAll(held.Select(e => ReclaimAsync(e, LeaseLossReason.Released)));
    }

    /// <inheritdoc/>
    public async Task<bool> WaitForReady(int blockMs, CancellationToken cancellationToken)
    {
        Advance(Now);
        if (ready.Count > 0 || blockMs <= 0)
        {
            return ready.Count > 0;
        }
        var watcher = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        readyWatchers.Add(watcher);
        using (var wait = WaitCancellation.Link(cancellationToken, lifetime))
        {
            await Task.WhenAny(watcher.Task, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, GrainWaits.MaxWaitMs)), time, wait.Token));
        }
        readyWatchers.Remove(watcher);
        return ready.Count > 0;
    }

    /// <summary>Asks each taken run to start its next attempt on the worker and follows the answers.</summary>
    private async Task<RunLease[]> StartAsync(List<DispatchEntry> taken, string workerId)
    {
        foreach (var entry in taken)
        {
            starting.Add(entry.Local);
        }
        var answers = await Task.WhenAll(taken.Select(e => StartOneAsync(e, workerId)));
        var now = Now;
        var leases = new List<RunLease>(taken.Count);
        for (var i = 0; i < taken.Count; i++)
        {
            var entry = taken[i];
            starting.Remove(entry.Local);
            if (!entries.ContainsKey(entry.Local) || answers[i] is not { } answer)
            {
                // Unknown outcome: the entry stays leased to the worker, and when the lease ends the run is asked.
                continue;
            }
            if (answer.Lease is { } lease && !entry.Status.IsFinished())
            {
                // The run started an attempt, so it exists.
                unverified.Remove(entry.Local);
                entry.Status = RunStatus.Running;
                entry.Attempt = lease.Attempt;
                entry.DeadlineMs = lease.DeadlineMs;
                // As the run records it: the due time for a run leased ahead.
                entry.StartedAtMs = entry.StartedAtMs == 0 ? Math.Max(now, lease.NotBeforeMs) : entry.StartedAtMs;
                state.StageRecord(entry.Local, entry);
                Timeline.Schedule(entry.Local, entry.LeaseDueMs);
                leases.Add(lease.NotBeforeMs > now ? lease with { StartInMs = lease.NotBeforeMs - now } : lease);
            }
            else if (answer.Lease is null)
            {
                Apply(entry, answer, now);
            }
        }
        EnsureTimeline();
        ServeWaiters(now);
        // The runs stored their attempts; this partition's copy follows in the background (a partition that loses it
        // adopts the running attempts when it offers those runs again).
        _ = commits!.CommitInBackgroundAsync();
        return [.. leases];
    }

    private async Task<RunAnswer?> StartOneAsync(DispatchEntry entry, string workerId)
    {
        try
        {
            return await Run(entry.RunId).Start(workerId);
        }
        catch (Exception e)
        {
            LogStartFailed(logger, e, ns, action, entry.RunId);
            return null;
        }
    }

    /// <summary>Takes up to <paramref name="count"/> ready entries for a worker (provisionally running until their runs answer).</summary>
    private List<DispatchEntry> Take(int count, string workerId, long leaseMs, long now)
    {
        var taken = new List<DispatchEntry>(Math.Min(count, ready.Count));
        while (taken.Count < count && ready.Min is { } entry)
        {
            ready.Remove(entry);
            entry.Status = RunStatus.Running;
            entry.WorkerId = workerId;
            entry.LeaseMs = leaseMs;
            entry.LeaseExpiresAtMs = now + leaseMs;
            entry.DeadlineMs = Math.Max(now, entry.VisibleAtMs) + Definition!.TimeoutMs;
            entry.Attempt++;
            Timeline.Schedule(entry.Local, entry.LeaseDueMs);
            FirstStartSettled(entry.Local);
            taken.Add(entry);
        }
        return taken;
    }

    private void ServeWaiters(long now)
    {
        while (ready.Count > 0 && waiters.First is { } head)
        {
            waiters.RemoveFirst();
            head.Value.Served.TrySetResult(Take(head.Value.Count, head.Value.WorkerId, head.Value.LeaseMs, now));
        }
        if (ready.Count > 0 && readyWatchers.Count > 0)
        {
            foreach (var watcher in readyWatchers)
            {
                watcher.TrySetResult(true);
            }
            readyWatchers.Clear();
        }
    }

    private void ReleaseWaiters()
    {
        foreach (var waiter in waiters)
        {
            waiter.Served.TrySetResult([]);
        }
        waiters.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Action {Namespace}/{Action}: starting run {RunId} failed; the run is asked again when its lease ends")]
    private static partial void LogStartFailed(ILogger logger, Exception error, string @namespace, string action, string runId);

    /// <summary>A worker waiting in a long poll.</summary>
    private sealed class Waiter(string workerId, int count, long leaseMs)
    {
        public string WorkerId { get; } = workerId;

        public int Count { get; } = count;

        public long LeaseMs { get; } = leaseMs;

        public TaskCompletionSource<List<DispatchEntry>> Served { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
