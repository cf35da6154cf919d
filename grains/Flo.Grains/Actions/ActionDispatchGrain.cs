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
/// By concept: invokes and idempotency in <c>.Invoke.cs</c>, the workers' leases, heartbeats and hand-backs in
/// <c>.Workers.cs</c>, lease ends and retention in <c>.Leases.cs</c>, listings in <c>.Listing.cs</c>.</para>
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
    // Entries loaded from storage that never started: their run may not exist (see RunExistsAsync).
    private readonly HashSet<long> unverified = [];
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
    public async Task Configure(ActionDefinition definition)
    {
        EnsureUsable();
        ActionLimits.ValidateDefinition(definition);
        state.State.Definition = definition;
        await CommitAsync();
    }

    /// <summary>Follows what a run said about itself.</summary>
    private void Apply(DispatchEntry entry, RunAnswer answer, long now)
    {
        if (answer.Missing)
        {
            Forget(entry);
            return;
        }
        unverified.Remove(entry.Local);
        if (entry.Status.IsFinished() && !answer.Status.IsFinished())
        {
            // Finished is final; an older answer that arrives late changes nothing.
            return;
        }
        ready.Remove(entry);
        entry.Status = answer.Status;
        entry.Attempt = answer.Attempt;
        if (!WaitsForFirstStart(entry))
        {
            FirstStartSettled(entry.Local);
        }
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
        if (OfferableAtMs(entry) <= now)
        {
            ready.Add(entry);
        }
        else
        {
            Timeline.Schedule(entry.Local, OfferableAtMs(entry));
        }
    }

    /// <summary>A waiting run is offered to workers this long before it is due; the worker starts it at the due time.</summary>
    private static long OfferableAtMs(DispatchEntry entry) => entry.VisibleAtMs - ActionLimits.LeaseAheadMs;

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
                if (entry.Status == RunStatus.Pending && entry.Attempt == 0)
                {
                    unverified.Add(entry.Local);
                }
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
        FirstStartSettled(entry.Local);
        unverified.Remove(entry.Local);
        ready.Remove(entry);
        entries.Remove(entry.Local);
        byRun.Remove(entry.RunId);
        if (entry.IdempotencyKey is { } key && dedup.TryGetValue(key, out var local) && local == entry.Local)
        {
            dedup.Remove(key);
        }
        state.StageRecordDeletion(entry.Local);
    }

    private IActionRunGrain Run(string runId) => GrainFactory.GetGrain<IActionRunGrain>(ActionLimits.RunKey(ns, runId));

    private Task CommitAsync() => commits!.CommitAsync();

    private void EnsureUsable() => commits!.EnsureUsable();

    [LoggerMessage(Level = LogLevel.Error, Message = "Action {Namespace}/{Action} partition {Partition}: a storage write failed; the partition deactivates and reloads")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, string @namespace, string action, int partition);

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
