using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>
/// One flow run: the authority on its status, and its scheduler (<see cref="FlowSchedule"/>). It hands generations to
/// the node grains, hears back when they complete or fail, stops the run at a limit or an error, and finishes it when
/// no node can run any more.
/// </summary>
/// <remarks>
/// Not reentrant: every scheduling step is a turn. Waits and event reads interleave. Node generations are stored by
/// the node grains, not here: on activation (a silo was lost, or the run was idle) the run asks every node for its
/// state and carries on from there. While the run is running, a timer every <see cref="WatchPeriod"/> resends
/// hand-overs that failed and asks running nodes how they are, so a completion whose report was lost is still seen;
/// a run still running at its first tick registers an Orleans reminder that brings it back after a silo loss (short
/// runs never write one).
/// </remarks>
[GrainType("flow-run")]
public sealed partial class FlowRunGrain(
    [PersistentState("flow-run", FloStorage.Name)] IPersistentState<FlowRunState> state,
    TimeProvider time,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<FlowRunGrain> logger) : Grain, IFlowRunGrain, IRemindable
{
    /// <summary>How often a running run checks on its running nodes and resends failed hand-overs.</summary>
    public static readonly TimeSpan WatchPeriod = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FlowEventLog events = null!;
    private RecoveryReminder reminder = null!;
    private FlowSchedule? schedule;
    private IGrainTimer? watch;
    private string ns = "";
    private string runId = "";

    private FlowRunState S => state.State;

    private bool IsRunning => state.RecordExists && S.Status == FlowRunStatus.Running;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, runId) = FlowLimits.SplitRunKey(this.GetPrimaryKeyString());
        events = new FlowEventLog(time);
        reminder = new RecoveryReminder(this, "flow-run", e => LogReminderFailed(logger, e, ns, runId));
        if (!state.RecordExists)
        {
            return;
        }
        schedule = new FlowSchedule(S.Start) { Trace = (S.TraceParent, S.TraceState) };
        await LoadNodesAsync();
        if (!IsRunning)
        {
            finished.TrySetResult();
            return;
        }
        // Resumed (after a silo loss, or idle): carry on from what the nodes hold.
        LogResumed(logger, ns, runId);
        Arm();
        if (!await StopIfDueAsync())
        {
            await PumpAsync();
        }
    }

    /// <inheritdoc/>
    public async Task<FlowRunInfo> Start(FlowRunStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (state.RecordExists)
        {
            // A repeated start: make sure the run is listed (the first start's entry may have been lost).
            await EnterIndexAsync();
            return Info();
        }
        var (traceParent, traceState) = FlowTracing.StartRun(ns, runId, start.Graph.Name, start.Graph.Nodes.Count);
        state.State = new FlowRunState { Start = start, Status = FlowRunStatus.Running, StartedAtMs = Now, TraceParent = traceParent, TraceState = traceState };
        await state.WriteStateAsync();
        // Listed before the start is answered, so every run a caller started shows in its namespace's listing.
        await EnterIndexAsync();
        schedule = new FlowSchedule(start) { Trace = (traceParent, traceState) };
        events.Add(new FlowEvent { Kind = FlowEventKind.RunStarted, Status = FlowRunStatus.Running });
        LogStarted(logger, ns, runId, start.Graph.Name, start.Graph.Nodes.Count);
        Arm();
        await PumpAsync();
        return Info();
    }

    /// <inheritdoc/>
    public Task<FlowRunInfo?> Get() => Task.FromResult(state.RecordExists ? Info() : null);

    /// <inheritdoc/>
    public Task<FlowRunStart?> Definition() => Task.FromResult(state.RecordExists ? S.Start : null);

    /// <inheritdoc/>
    public async Task<FlowRunInfo?> Wait(int blockMs, CancellationToken cancellationToken)
    {
        if (!IsRunning || blockMs <= 0)
        {
            return state.RecordExists ? Info() : null;
        }
        using var wait = WaitCancellation.Link(cancellationToken, lifetime);
        await Task.WhenAny(finished.Task, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, GrainWaits.MaxWaitMs)), time, wait.Token));
        return Info();
    }

    /// <inheritdoc/>
    public async Task<bool> Cancel()
    {
        if (!IsRunning)
        {
            return false;
        }
        await FinishAsync(FlowRunStatus.Cancelled, "cancelled", null);
        return true;
    }

    /// <inheritdoc/>
    public async Task<FlowEventPage> ReadEvents(long after, int max, int blockMs, CancellationToken cancellationToken)
    {
        using var wait = WaitCancellation.Link(cancellationToken, lifetime);
        return await events.ReadAsync(after, max, blockMs, () => !IsRunning, wait.Token);
    }

    /// <inheritdoc/>
    public async Task NodeCompleted(string node, int generation, string[] outputs)
    {
        var i = IsRunning ? schedule!.IndexOf(node) : -1;
        if (i < 0)
        {
            return;
        }
        if (await OnCompletedAsync(i, generation, outputs))
        {
            await PumpAsync();
        }
    }

    /// <inheritdoc/>
    public async Task NodeFailed(string node, int generation, string error)
    {
        var i = IsRunning ? schedule!.IndexOf(node) : -1;
        if (i < 0)
        {
            return;
        }
        if (await OnFailedAsync(i, generation, error))
        {
            await PumpAsync();
        }
    }

    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!IsRunning)
        {
            // Registered in the background as the run finished: drop it here.
            if (await this.GetReminder(reminderName) is { } stale)
            {
                await this.UnregisterReminder(stale);
            }
            return;
        }
        // Activation already resumed the run; make sure its timer runs.
        Arm();
    }

    private FlowRunInfo Info()
    {
        var views = schedule?.Views;
        var nodes = S.Start.Graph.Nodes;
        var finishedRun = !IsRunning;
        return new FlowRunInfo
        {
            RunId = runId,
            Namespace = ns,
            Flow = S.Start.Graph.Name,
            Status = S.Status,
            Reason = S.Reason,
            LimitNode = S.LimitNode,
            StartedAtMs = S.StartedAtMs,
            FinishedAtMs = S.FinishedAtMs,
            NodeErrors = views is null ? [] : [.. nodes.Select((n, i) => (n, v: views[i])).Where(x => x.v.Failed)
                .Select(x => new FlowNodeError { Node = x.n.Name, Generation = x.v.FailedGeneration, Error = x.v.Error ?? "" })],
            Nodes = [.. nodes.Select((n, i) => Summary(n, views?[i] ?? new FlowNodeView(), finishedRun))],
        };
    }

    private static FlowNodeSummary Summary(FlowNodeSpec spec, FlowNodeView view, bool finishedRun) => new()
    {
        Name = spec.Name,
        NodeType = spec.NodeType,
        Generation = view.Completed >= 0 ? new FlowGeneration(view.Completed) : null,
        ValueJson = view.Completed >= 0 && view.Outputs.Count > 0 ? view.Outputs[0] : null,
        Error = view.Error,
        Status = view.Failed ? FlowNodeStatus.Failed
            : view.IsRunning ? (finishedRun ? FlowNodeStatus.Cancelled : FlowNodeStatus.Running)
            : view.Completed >= 0 && (finishedRun || !spec.Recurrent) ? FlowNodeStatus.Completed
            : FlowNodeStatus.Waiting,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow run {Namespace}/{RunId} ({Flow}, {Nodes} nodes) started")]
    private static partial void LogStarted(ILogger logger, string @namespace, string runId, string flow, int nodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow run {Namespace}/{RunId} resumed from its nodes' stored generations")]
    private static partial void LogResumed(ILogger logger, string @namespace, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow run {Namespace}/{RunId} finished: {Status} ({Reason})")]
    private static partial void LogFinished(ILogger logger, string @namespace, string runId, FlowRunStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: handing generation {Generation} to node {Node} failed; it is resent")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception error, string @namespace, string runId, string node, int generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: asking node {Node} failed")]
    private static partial void LogNodeUnreachable(ILogger logger, Exception error, string @namespace, string runId, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: registering the recovery reminder failed")]
    private static partial void LogReminderFailed(ILogger logger, Exception error, string @namespace, string runId);
}
