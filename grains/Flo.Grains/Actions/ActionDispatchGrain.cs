using System.Security.Cryptography;
using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// One dispatch partition of an action: its runs ordered for workers, the leases workers hold, idempotency keys, and a
/// summary of every run for listings until its retention ends. Each run is a record beside a small state, so a write
/// costs the runs that changed; the activation keeps them all in memory with the indexes a lease needs.
/// </summary>
/// <remarks>
/// <para>The run grains are the authority. An invoke stores the partition's entry, then creates the run; a lease asks
/// each run to start its next attempt (the run stores the attempt before the worker hears of it) and follows what the
/// run answers: started, already running on a worker (a partition that lost its memory adopts it), finished, or gone.
/// Results, failures and cancels go to the run, which then tells the partition (<see cref="Settle"/>).</para>
/// <para>Reentrant, with group commit as the queue partitions: operations change memory in one turn and share writes.
/// Lease ends and retention are in <c>ActionDispatchGrain.Leases.cs</c>.</para>
/// </remarks>
[Reentrant]
[GrainType("action-dispatch")]
public sealed partial class ActionDispatchGrain(
    [StateWithRecords("dispatch", FloStorage.Name)] IStateWithRecords<DispatchState> state,
    TimeProvider time,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<ActionDispatchGrain> logger) : Grain, IActionDispatchGrain, IRemindable
{
    /// <summary>Longest single long poll of a lease.</summary>
    public const int MaxBlockMs = 300_000;

    /// <summary>Shortest lease a worker may ask for.</summary>
    public const long MinLeaseMs = 100;

    private const int LoadPageSize = 10_000;

    private readonly Dictionary<long, DispatchEntry> entries = [];
    private readonly Dictionary<string, long> byRun = new(StringComparer.Ordinal);
    private readonly SortedSet<DispatchEntry> ready = new(ReadyOrder.Instance);
    private readonly Dictionary<long, Task> creating = [];
    private readonly HashSet<long> starting = [];
    private readonly Dictionary<string, long> dedup = new(StringComparer.Ordinal);
    private readonly LinkedList<Waiter> waiters = new();
    private readonly List<TaskCompletionSource<bool>> readyWatchers = [];
    private GuardedCommit? commits;
    private string ns = "";
    private string action = "";
    private int partition;

    private ActionDefinition? Definition => state.State.Definition;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private string Name => $"{ns}/{action} partition {partition}";

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, action, partition) = ActionLimits.SplitDispatchKey(this.GetPrimaryKeyString());
        commits = new GuardedCommit(() => state.WriteStateAsync(), $"Action {Name}", error =>
        {
            LogWriteFailed(logger, error, ns, action, partition);
            ReleaseWaiters();
            DeactivateOnIdle();
        });
        if (state.State.Definition is null)
        {
            // Registered before this partition existed (or never): the action grain is the authority.
            state.State.Definition = await GrainFactory.GetGrain<IActionGrain>(ActionLimits.ActionKey(ns, action)).Get();
        }
        var now = Now;
        var after = long.MinValue;
        while (true)
        {
            var page = await state.ReadRecordsAsync<DispatchEntry>(after, LoadPageSize, cancellationToken);
            foreach (var (_, entry) in page)
            {
                Load(entry, now);
            }
            if (page.Count < LoadPageSize)
            {
                break;
            }
            after = page[^1].Key;
        }
        EnsureTimeline();
    }

    /// <inheritdoc/>
    public async Task<string> Invoke(RunInvocation invocation)
    {
        EnsureUsable();
        ArgumentNullException.ThrowIfNull(invocation);
        var definition = Definition ?? throw new ActionNotFoundException($"Action '{action}' is not registered in namespace '{ns}'.");
        ActionLimits.ValidatePayload(invocation.Payload);
        ActionLimits.ValidateIdempotencyKey(invocation.IdempotencyKey);
        ActionLimits.ValidateRange(invocation.DelayMs, 0, ActionLimits.MaxDelayMs, "DelayMs");
        var now = Now;
        Advance(now);
        byte[]? hash = null;
        if (invocation.IdempotencyKey is { } key)
        {
            hash = SHA256.HashData(invocation.Payload)[..16];
            if (dedup.TryGetValue(key, out var firstLocal) && entries.TryGetValue(firstLocal, out var first))
            {
                if (!hash.AsSpan().SequenceEqual(first.PayloadHash))
                {
                    throw new IdempotencyConflictException(
                        $"Idempotency key '{key}' of action '{action}' was used by run {first.RunId} with a different payload; nothing was stored.", first.RunId);
                }
                if (creating.TryGetValue(firstLocal, out var pending))
                {
                    await pending;
                }
                return first.RunId;
            }
        }
        var entry = new DispatchEntry
        {
            Local = state.State.NextLocal++,
            RunId = ActionLimits.NewRunId(),
            Priority = invocation.Priority ?? definition.Priority,
            Status = RunStatus.Pending,
            VisibleAtMs = now + invocation.DelayMs,
            SubmittedAtMs = now,
            IdempotencyKey = invocation.IdempotencyKey,
            PayloadHash = hash,
        };
        entries.Add(entry.Local, entry);
        byRun.Add(entry.RunId, entry.Local);
        if (entry.IdempotencyKey is { } k)
        {
            dedup[k] = entry.Local;
        }
        state.StageRecord(entry.Local, entry);
        // A stored entry whose run was never created is dropped the first time it is offered (the run answers
        // "missing"); the entry is not offered before its run exists.
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        creating.Add(entry.Local, created.Task);
        var commit = CommitAsync();
        try
        {
            // The entry and the run are written at the same time (one write's latency, not two). Should the entry's
            // write fail after the run was created, the run is removed again below (best effort), as nobody was told of it.
            await Run(entry.RunId).Create(new RunCreation
            {
                Action = action,
                Partition = partition,
                Payload = invocation.Payload,
                Priority = entry.Priority,
                IdempotencyKey = entry.IdempotencyKey,
                SubmittedAtMs = now,
                VisibleAtMs = entry.VisibleAtMs,
                Definition = definition with
                {
                    MaxRetries = invocation.MaxRetries ?? definition.MaxRetries,
                    RetryDelayMs = invocation.RetryDelayMs ?? definition.RetryDelayMs,
                },
            });
            await commit;
        }
        catch (Exception e)
        {
            if (commit.IsFaulted)
            {
                _ = PurgeAsync(entry.RunId);
            }
            else
            {
                _ = commit.ContinueWith(static t => t.Exception, TaskScheduler.Current);
            }
            creating.Remove(entry.Local);
            created.TrySetException(e);
            _ = created.Task.Exception;
            Forget(entry);
            _ = commits!.CommitInBackgroundAsync();
            throw;
        }
        creating.Remove(entry.Local);
        created.TrySetResult();
        MakeWaitingOrReady(entry, Now);
        EnsureTimeline();
        ServeWaiters(Now);
        return entry.RunId;
    }

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
    public async Task Settle(string runId, RunAnswer answer)
    {
        EnsureUsable();
        ArgumentNullException.ThrowIfNull(answer);
        if (!byRun.TryGetValue(runId, out var local))
        {
            return;
        }
        var now = Now;
        Apply(entries[local], answer, now);
        EnsureTimeline();
        ServeWaiters(now);
        await CommitAsync();
    }

    /// <inheritdoc/>
    public Task<RunSummary[]> List(RunFilter filter, long beforeSubmittedMs, string? beforeRunId, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ActionLimits.ValidateRange(limit, 1, ActionLimits.MaxBatch + 1, "Limit");
        Advance(Now);
        var page = entries.Values
            .Where(e => !creating.ContainsKey(e.Local) && (filter.Status is null || e.Status == filter.Status))
            .Where(e => e.SubmittedAtMs < beforeSubmittedMs
                || (e.SubmittedAtMs == beforeSubmittedMs && beforeRunId is not null && string.CompareOrdinal(e.RunId, beforeRunId) < 0))
            .OrderByDescending(e => e.SubmittedAtMs).ThenByDescending(e => e.RunId, StringComparer.Ordinal)
            .Take(limit)
            .Select(e => e.ToSummary() with { Action = action })
            .ToArray();
        return Task.FromResult(page);
    }

    /// <inheritdoc/>
    public Task<ActionStats> Stats()
    {
        var now = Now;
        Advance(now);
        long pending = 0, running = 0, retrying = 0, completed = 0, failed = 0, cancelled = 0, timedOut = 0, delayed = 0;
        foreach (var e in entries.Values)
        {
            switch (e.Status)
            {
                case RunStatus.Pending:
                    pending++;
                    delayed += e.VisibleAtMs > now ? 1 : 0;
                    break;
                case RunStatus.Running: running++; break;
                case RunStatus.Retrying: retrying++; break;
                case RunStatus.Completed: completed++; break;
                case RunStatus.Failed: failed++; break;
                case RunStatus.Cancelled: cancelled++; break;
                case RunStatus.TimedOut: timedOut++; break;
            }
        }
        return Task.FromResult(new ActionStats
        {
            Pending = pending, Running = running, Retrying = retrying, Completed = completed,
            Failed = failed, Cancelled = cancelled, TimedOut = timedOut, Delayed = delayed,
        });
    }

    /// <inheritdoc/>
    public async Task Configure(ActionDefinition definition)
    {
        EnsureUsable();
        ActionLimits.ValidateDefinition(definition);
        state.State.Definition = definition;
        await CommitAsync();
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
                entry.Status = RunStatus.Running;
                entry.Attempt = lease.Attempt;
                entry.DeadlineMs = lease.DeadlineMs;
                entry.StartedAtMs = entry.StartedAtMs == 0 ? now : entry.StartedAtMs;
                state.StageRecord(entry.Local, entry);
                Timeline.Schedule(entry.Local, entry.LeaseDueMs);
                leases.Add(lease);
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
            entry.DeadlineMs = now + Definition!.TimeoutMs;
            entry.Attempt++;
            Timeline.Schedule(entry.Local, entry.LeaseDueMs);
            taken.Add(entry);
        }
        return taken;
    }

    /// <summary>Follows what a run said about itself.</summary>
    private void Apply(DispatchEntry entry, RunAnswer answer, long now)
    {
        if (answer.Missing)
        {
            Forget(entry);
            return;
        }
        if (entry.Status.IsFinished() && !answer.Status.IsFinished())
        {
            // Finished is final; an older answer that arrives late changes nothing.
            return;
        }
        ready.Remove(entry);
        entry.Status = answer.Status;
        entry.Attempt = answer.Attempt;
        entry.Error = answer.Error;
        entry.StartedAtMs = answer.StartedAtMs;
        switch (answer.Status)
        {
            case RunStatus.Running:
                // Running on a worker this partition did not know about (it reloaded): adopt the attempt.
                entry.WorkerId = answer.WorkerId;
                entry.DeadlineMs = answer.DeadlineMs;
                entry.LeaseMs = entry.LeaseMs > 0 ? entry.LeaseMs : DefaultLeaseMs;
                entry.LeaseExpiresAtMs = now + entry.LeaseMs;
                Timeline.Schedule(entry.Local, entry.LeaseDueMs);
                break;
            case RunStatus.Pending or RunStatus.Retrying:
                entry.WorkerId = null;
                entry.VisibleAtMs = Math.Max(answer.NextAttemptAtMs, now);
                MakeWaitingOrReady(entry, now);
                break;
            default:
                entry.FinishedAtMs = answer.FinishedAtMs > 0 ? answer.FinishedAtMs : now;
                entry.ExpiresAtMs = entry.FinishedAtMs + (Definition?.RetentionMs ?? ActionLimits.MinRetentionMs);
                Timeline.Schedule(entry.Local, entry.ExpiresAtMs);
                break;
        }
        state.StageRecord(entry.Local, entry);
    }

    private void MakeWaitingOrReady(DispatchEntry entry, long now)
    {
        if (creating.ContainsKey(entry.Local))
        {
            return;
        }
        if (entry.VisibleAtMs <= now)
        {
            ready.Add(entry);
        }
        else
        {
            Timeline.Schedule(entry.Local, entry.VisibleAtMs);
        }
    }

    private void Load(DispatchEntry entry, long now)
    {
        entries[entry.Local] = entry;
        byRun[entry.RunId] = entry.Local;
        if (entry.IdempotencyKey is { } key)
        {
            dedup[key] = entry.Local;
        }
        switch (entry.Status)
        {
            case RunStatus.Pending or RunStatus.Retrying:
                MakeWaitingOrReady(entry, now);
                break;
            case RunStatus.Running:
                // Heartbeats were not stored: every lease gets a full length from now, so a live worker keeps its runs.
                entry.LeaseExpiresAtMs = Math.Max(entry.LeaseExpiresAtMs, now + Math.Max(entry.LeaseMs, MinLeaseMs));
                Timeline.Schedule(entry.Local, entry.LeaseDueMs);
                break;
            default:
                Timeline.Schedule(entry.Local, entry.ExpiresAtMs);
                break;
        }
    }

    private void Forget(DispatchEntry entry)
    {
        ready.Remove(entry);
        entries.Remove(entry.Local);
        byRun.Remove(entry.RunId);
        if (entry.IdempotencyKey is { } key && dedup.TryGetValue(key, out var local) && local == entry.Local)
        {
            dedup.Remove(key);
        }
        state.StageRecordDeletion(entry.Local);
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

    private IActionRunGrain Run(string runId) => GrainFactory.GetGrain<IActionRunGrain>(ActionLimits.RunKey(ns, runId));

    private Task CommitAsync() => commits!.CommitAsync();

    private void EnsureUsable() => commits!.EnsureUsable();

    [LoggerMessage(Level = LogLevel.Error, Message = "Action {Namespace}/{Action} partition {Partition}: a storage write failed; the partition deactivates and reloads")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, string @namespace, string action, int partition);

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

    /// <summary>Offer order: higher priority first, then older (lower local number).</summary>
    private sealed class ReadyOrder : IComparer<DispatchEntry>
    {
        public static ReadyOrder Instance { get; } = new();

        public int Compare(DispatchEntry? x, DispatchEntry? y)
        {
            var c = y!.Priority.CompareTo(x!.Priority);
            return c != 0 ? c : x.Local.CompareTo(y.Local);
        }
    }
}
