using Flo.Invocation;
using Flo.Messaging;
using Flo.Runtime.Scheduler;
using Flo.Runtime.State;
using Flo.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Catalog;

/// <summary>
/// One activation of a grain: its instance, its scheduler, and the turn-based admission of work. A request starts
/// when nothing runs, or when it may interleave with what runs ([Reentrant] class, [AlwaysInterleave] method, or
/// [ReadOnly] alongside only read-only work); otherwise it waits in FIFO order.
/// </summary>
internal sealed partial class ActivationData : IGrainContext
{
    private readonly object gate = new();
    private readonly Queue<ActivationWorkItem> waiting = new();
    private readonly List<ActivationWorkItem> runningItems = new(1);
    private readonly List<IActivationLifecycleState> states = [];
    private readonly List<GrainTimer> timers = [];
    private readonly TaskCompletionSource deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActivationServices services;
    private int runningReadOnly;
    private int runningInterleaved;
    private readonly CancellationTokenSource deactivationRequested = new();
    private DeactivationReason? pendingDeactivation;
    private long lastActivity;
    private long keepAliveUntil;
    private Grain? instance;

    public ActivationData(GrainId grainId, GrainClassInfo grainClass, ActivationServices services)
    {
        GrainId = grainId;
        GrainClass = grainClass;
        this.services = services;
        Scheduler = new ActivationTaskScheduler();
        lastActivity = Environment.TickCount64;
    }

    public GrainId GrainId { get; }

    public GrainClassInfo GrainClass { get; }

    public ActivationTaskScheduler Scheduler { get; }

    public ActivationState State { get; private set; } = ActivationState.Activating;

    /// <summary>Completes when the activation has left the catalog.</summary>
    public Task Deactivated => deactivated.Task;

    public IServiceProvider Services => services.ServiceProvider;

    public IGrainFactory GrainFactory => services.GrainFactory;

    public string SiloName => services.SiloName;

    /// <inheritdoc/>
    public CancellationToken DeactivationRequested => deactivationRequested.Token;

    internal object? GrainInstance => instance;

    /// <summary>Queues or starts a work item. False when the activation is going away: deliver to the next one.</summary>
    public bool TryEnqueue(ActivationWorkItem item)
    {
        lock (gate)
        {
            if (State is ActivationState.Deactivating or ActivationState.Invalid)
            {
                return false;
            }
            if (item.KeepsAlive)
            {
                lastActivity = Environment.TickCount64;
            }
            if (State == ActivationState.Valid && pendingDeactivation is null && CanStartLocked(item, arriving: true))
            {
                StartLocked(item);
            }
            else
            {
                waiting.Enqueue(item);
                if (waiting.Count == 1)
                {
                    services.Catalog.TrackWaiting(this);
                }
            }
            return true;
        }
    }

    private bool CanStartLocked(ActivationWorkItem item, bool arriving)
    {
        if (GrainClass.IsReentrant || item.AlwaysInterleave)
        {
            return true;
        }
        // [AlwaysInterleave] work (e.g. a blocking get waiting for a put) does not hold the turn: only the rest does,
        // as in Orleans, where such a request never becomes the activation's blocking request.
        var holding = runningItems.Count - runningInterleaved;
        if (holding == 0)
        {
            // An arrival must not overtake requests already queued.
            return !arriving || waiting.Count == 0;
        }
        // Read-only work joins read-only work, unless a writer is already waiting (writers must not starve).
        return item.IsReadOnly && runningReadOnly == holding && (!arriving || waiting.Count == 0);
    }

    private void StartLocked(ActivationWorkItem item)
    {
        runningItems.Add(item);
        if (item.AlwaysInterleave)
        {
            runningInterleaved++;
        }
        else if (item.IsReadOnly)
        {
            runningReadOnly++;
        }
        item.StartedAt = Environment.TickCount64;
        // Each work item starts from a clean execution context: the thread that admits it may be running another
        // request (its call chain and trace must not leak into this one).
        if (ExecutionContext.IsFlowSuppressed())
        {
            Start(item);
            return;
        }
        using (ExecutionContext.SuppressFlow())
        {
            Start(item);
        }
    }

    private void Start(ActivationWorkItem item)
    {
        item.Owner = this;
        _ = Task.Factory.StartNew(static s => ((ActivationWorkItem)s!).RunAsync(((ActivationWorkItem)s).Owner!),
            item, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Scheduler);
    }

    /// <summary>Called by every work item when it finishes.</summary>
    public void OnWorkItemCompleted(ActivationWorkItem item)
    {
        DeactivationReason? deactivateNow = null;
        lock (gate)
        {
            runningItems.Remove(item);
            if (item.AlwaysInterleave)
            {
                runningInterleaved--;
            }
            else if (item.IsReadOnly)
            {
                runningReadOnly--;
            }
            if (item.KeepsAlive)
            {
                lastActivity = Environment.TickCount64;
            }
            if (pendingDeactivation is { } reason)
            {
                if (runningItems.Count == 0)
                {
                    deactivateNow = reason;
                }
            }
            else
            {
                DrainLocked();
            }
        }
        if (deactivateNow is { } r)
        {
            StartDeactivation(r);
        }
    }

    private void DrainLocked()
    {
        if (State != ActivationState.Valid)
        {
            return;
        }
        while (waiting.TryPeek(out var next) && CanStartLocked(next, arriving: false))
        {
            waiting.Dequeue();
            StartLocked(next);
        }
    }

    /// <summary>Drops queued items whose deadline passed, answering them with a timeout that says what the activation was doing.</summary>
    public bool ExpireWaiting(long now)
    {
        List<ActivationWorkItem>? expired = null;
        string? busyWith = null;
        int queued;
        lock (gate)
        {
            if (waiting.Count == 0)
            {
                return false;
            }
            var count = waiting.Count;
            for (var i = 0; i < count; i++)
            {
                var item = waiting.Dequeue();
                if (item.Deadline <= now)
                {
                    (expired ??= []).Add(item);
                }
                else
                {
                    waiting.Enqueue(item);
                }
            }
            queued = waiting.Count;
            if (expired is not null)
            {
                busyWith = DescribeBusyLocked(now);
            }
        }
        if (expired is not null)
        {
            foreach (var item in expired)
            {
                item.Reject(ResponseStatus.Timeout, new GrainCallTimeoutException(DescribeTimeout(item, busyWith!, queued)));
            }
        }
        return queued > 0;
    }

    private string DescribeBusyLocked(long now)
    {
        if (State == ActivationState.Activating)
        {
            return "still activating";
        }
        if (runningItems.Count == 0)
        {
            return "idle";
        }
        var first = runningItems[0];
        var more = runningItems.Count > 1 ? $" and {runningItems.Count - 1} more" : "";
        return $"busy running {first.Description} for {(now - first.StartedAt) / 1000.0:0.###} s{more}";
    }

    private string DescribeTimeout(ActivationWorkItem item, string busyWith, int queued)
    {
        var text = $"Call {item.Description} on grain {GrainId} timed out in the queue of its activation on silo {SiloName}: the activation was {busyWith}, with {queued} other request(s) queued.";
        if (item is RequestWorkItem request && request.Message.CallChain is { Length: > 0 } chain)
        {
            text += $" Call chain: {chain} -> {GrainId}.{request.Invokable.MethodName}.";
            if (chain.Contains(GrainId.ToString() + ".", StringComparison.Ordinal))
            {
                text += " The chain comes back to this non-reentrant grain: a deadlock. Mark the grain [Reentrant] or the method [AlwaysInterleave], or break the cycle.";
            }
        }
        return text;
    }

    /// <summary>Whether the activation has been idle at least <paramref name="age"/>.</summary>
    public bool IsIdle(long now, TimeSpan age)
    {
        lock (gate)
        {
            return State == ActivationState.Valid && runningItems.Count == 0 && waiting.Count == 0
                && now - lastActivity >= (long)age.TotalMilliseconds && now >= keepAliveUntil;
        }
    }

    /// <inheritdoc/>
    public void DeactivateOnIdle() => RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <inheritdoc/>
    public void DelayDeactivation(TimeSpan duration)
    {
        lock (gate)
        {
            keepAliveUntil = Math.Max(keepAliveUntil, Environment.TickCount64 + (long)duration.TotalMilliseconds);
        }
    }

    /// <summary>Deactivates as soon as nothing runs.</summary>
    public void RequestDeactivation(DeactivationReason reason)
    {
        bool now;
        lock (gate)
        {
            if (State is ActivationState.Deactivating or ActivationState.Invalid || pendingDeactivation is not null)
            {
                return;
            }
            // While still activating, the request is remembered and honoured as soon as activation completes (a
            // shutdown or a move must not miss a grain that was just being created).
            pendingDeactivation = reason;
            now = State == ActivationState.Valid && runningItems.Count == 0;
        }
        // Outside the lock and asynchronously: waiters' continuations must not run under it.
        _ = deactivationRequested.CancelAsync();
        if (now)
        {
            StartDeactivation(reason);
        }
    }

    /// <inheritdoc/>
    public IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        var timer = new GrainTimer(this, callback, options, services.TimeProvider);
        lock (gate)
        {
            timers.Add(timer);
        }
        timer.Start();
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (gate)
        {
            timers.Remove(timer);
        }
    }

    /// <inheritdoc/>
    public IPersistentState<TState> GetPersistentState<TState>(string stateName, string? storageName = null) where TState : new()
    {
        var state = new PersistentState<TState>(this, stateName, services.ResolveStorage(storageName), services.GrainFactory);
        states.Add(state);
        return state;
    }

    /// <summary>A state write found a stale ETag: another activation may own this grain now, so this one must go.</summary>
    internal void OnInconsistentState(string detail)
    {
        LogInconsistentState(services.Logger, GrainId, detail);
        RequestDeactivation(new DeactivationReason(DeactivationReasonCode.InconsistentState, detail));
    }

    /// <summary>Constructs the grain, reads its state and runs OnActivateAsync, on the activation's scheduler.</summary>
    public void StartActivation()
    {
        _ = Task.Factory.StartNew(static s => ((ActivationData)s!).ActivateAsync(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Scheduler).Unwrap();
    }

    private async Task ActivateAsync()
    {
        try
        {
            using (GrainContextScope.Enter(this))
            {
                instance = GrainClass.Create(this);
            }
            using var cts = new CancellationTokenSource(services.ActivationTimeout);
            foreach (var state in states)
            {
                await state.ReadOnActivateAsync(cts.Token);
            }
            await instance.OnActivateAsync(cts.Token);
        }
        catch (Exception e)
        {
            LogActivationFailed(services.Logger, e, GrainId);
            FailActivation(e);
            return;
        }
        services.Catalog.OnActivated(this);
        DeactivationReason? deactivateNow = null;
        lock (gate)
        {
            State = ActivationState.Valid;
            if (pendingDeactivation is { } reason)
            {
                deactivateNow = reason;
            }
            else
            {
                DrainLocked();
            }
        }
        if (deactivateNow is { } r)
        {
            StartDeactivation(r);
        }
    }

    private void FailActivation(Exception error)
    {
        ActivationWorkItem[] rejected;
        lock (gate)
        {
            State = ActivationState.Invalid;
            rejected = waiting.ToArray();
            waiting.Clear();
        }
        services.Catalog.Remove(this);
        deactivated.TrySetResult();
        var failure = new InvalidOperationException($"Activation of grain {GrainId} on silo {SiloName} failed: {error.GetBaseException().Message}", error);
        foreach (var item in rejected)
        {
            item.Reject(ResponseStatus.ApplicationError, failure);
        }
    }

    private void StartDeactivation(DeactivationReason reason)
    {
        lock (gate)
        {
            if (State != ActivationState.Valid)
            {
                return;
            }
            State = ActivationState.Deactivating;
        }
        _ = Task.Factory.StartNew(static s => ((ActivationData)((object[])s!)[0]).DeactivateAsync((DeactivationReason)((object[])s)[1]),
            new object[] { this, reason }, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Scheduler).Unwrap();
    }

    /// <summary>Deactivates now if idle, or once the running work completes (silo shutdown).</summary>
    public Task DeactivateAsync(DeactivationReason reason, bool waitForCompletion)
    {
        RequestDeactivation(reason);
        return waitForCompletion ? deactivated.Task : Task.CompletedTask;
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        GrainTimer[] activeTimers;
        lock (gate)
        {
            activeTimers = timers.ToArray();
            timers.Clear();
        }
        foreach (var t in activeTimers)
        {
            t.Dispose();
        }
        try
        {
            using var cts = new CancellationTokenSource(services.DeactivationTimeout);
            if (instance is not null)
            {
                await instance.OnDeactivateAsync(reason, cts.Token).WaitAsync(services.DeactivationTimeout);
            }
        }
        catch (Exception e)
        {
            LogDeactivationFailed(services.Logger, e, GrainId);
        }
        ActivationWorkItem[] redeliver;
        lock (gate)
        {
            State = ActivationState.Invalid;
            redeliver = waiting.ToArray();
            waiting.Clear();
        }
        services.Catalog.Remove(this);
        deactivated.TrySetResult();
        // Requests that arrived while this activation was going away are served by the next one.
        foreach (var item in redeliver)
        {
            services.Catalog.Redeliver(GrainId, GrainClass, item);
        }
    }

    /// <summary>Diagnostic summary.</summary>
    public override string ToString()
    {
        lock (gate)
        {
            return $"{GrainId} [{State}] {DescribeBusyLocked(Environment.TickCount64)}, {waiting.Count} queued";
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Activation of grain {GrainId} failed")]
    private static partial void LogActivationFailed(ILogger logger, Exception error, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OnDeactivateAsync of grain {GrainId} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, Exception error, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId} found a stale ETag and deactivates: {Detail}")]
    private static partial void LogInconsistentState(ILogger logger, GrainId grainId, string detail);
}
