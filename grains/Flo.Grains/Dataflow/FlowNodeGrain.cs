using System.Text.Json;
using Flo.Actions;
using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>
/// One node of one flow run. It stores each generation it is given with its inputs before running it, runs it as an
/// action run (<c>flow:{type}</c>, idempotency key <c>flow:{runId}:{node}:{generation}</c>, so asking again after a
/// silo loss finds the same run), applies the first result reported for the running generation and ignores every
/// other, then tells the flow run.
/// </summary>
/// <remarks>
/// Not reentrant: every change is a turn and is stored before it is acknowledged. Part reads and snapshots interleave.
/// Results come two ways, whichever is first: the worker reports them (fast, and it activates the grain again after a
/// silo loss), and the grain watches the action run (so a failed or timed-out action run, or a report lost with the
/// worker, is seen). The background work calls the grain itself for every change it stores, so those stay turns.
/// </remarks>
[GrainType("flow-node")]
public sealed partial class FlowNodeGrain(
    [PersistentState("flow-node", FloStorage.Name)] IPersistentState<FlowNodeState> state,
    TimeProvider time,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<FlowNodeGrain> logger) : Grain, IFlowNodeGrain
{
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActionApi? actions;
    private IFlowRunGrain? flowRun;
    private int executing = -1;
    private string ns = "";
    private string runId = "";
    private string node = "";

    private FlowNodeState S => state.State;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private IFlowNodeGrain Self => this.AsReference<IFlowNodeGrain>();

    // Made once: Orleans' GetGrain looks the interface's attributes up on every call.
    private IFlowRunGrain FlowRun => flowRun ??= GrainFactory.GetGrain<IFlowRunGrain>(FlowLimits.FlowRunKey(ns, runId));

    private ActionApi Actions => actions ??= new ActionApi(GrainFactory);

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, runId, node) = FlowLimits.SplitNodeKey(this.GetPrimaryKeyString());
        if (S.Running is { } running)
        {
            if (RunsHere(out _, out _))
            {
                // Resumed after a silo loss while the code ran in that silo: the next attempt, counted before it starts.
                running.LocalAttempts++;
                await state.WriteStateAsync(cancellationToken);
            }
            // Else resumed after a silo loss: find the same action run again (same key) and watch it.
            StartExecution(running.Generation);
        }
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Code running here for this activation stops with it; the next activation runs the generation again.
        StopLocalRun();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<NodeSnapshot> Run(NodeRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (S.Completed >= request.Generation || S.Running?.Generation == request.Generation || S.Status == FlowNodeStatus.Failed)
        {
            return SnapshotOf(S);
        }
        if (S.Running is not null || request.Generation != S.Completed + 1)
        {
            throw new InvalidOperationException($"Node {node} of flow run {ns}/{runId} holds generation {S.Completed} (running {S.Running?.Generation}); it cannot run {request.Generation}.");
        }
        S.NodeType = request.NodeType;
        S.Streaming = request.Streaming;
        S.Running = new NodeRunningState { Generation = request.Generation, Inputs = [.. request.Inputs], ReachesLimit = request.ReachesLimit, StartedAtMs = Now };
        if (RunsHere(out _, out _))
        {
            S.Running.LocalAttempts = 1;
        }
        S.Status = FlowNodeStatus.Running;
        S.TraceParent = request.TraceParent;
        S.TraceState = request.TraceState;
        await state.WriteStateAsync();
        Signal();
        StartExecution(request.Generation);
        return SnapshotOf(S);
    }

    /// <inheritdoc/>
    public Task<NodeSnapshot> Snapshot() => Task.FromResult(SnapshotOf(S));

    /// <inheritdoc/>
    public async Task Report(int generation, string? actionRunId, string resultJson)
    {
        if (S.Running is not { } running || running.Generation != generation)
        {
            S.Discarded++;
            return;
        }
        NodeRunResult? result;
        try
        {
            result = JsonSerializer.Deserialize<NodeRunResult>(resultJson, FlowJson.Options);
        }
        catch (JsonException e)
        {
            result = new NodeRunResult { Error = $"the node's result is not valid: {e.Message}" };
        }
        running.ActionRunId ??= actionRunId;
        var run = new FlowNodeRun { Generation = generation, ActionRunId = running.ActionRunId, StartedAtMs = running.StartedAtMs, FinishedAtMs = Now, Parts = running.Parts.Count };
        S.Running = null;
        if (result?.Outputs is not { } outputs || result.Error is not null)
        {
            var error = result?.Error ?? "the node returned no outputs";
            S.Status = FlowNodeStatus.Failed;
            S.Error = error;
            S.FailedGeneration = generation;
            AddRun(run with { Outcome = FlowNodeStatus.Failed });
            await state.WriteStateAsync();
            Signal();
            TraceGeneration(run, "failed", error);
            LogFailed(logger, ns, runId, node, generation, error);
            Notify(flow => flow.NodeFailed(node, generation, error));
            return;
        }
        S.Completed = generation;
        S.Outputs = [.. outputs];
        S.LastParts = running.Parts;
        S.HeldGeneration = running.ReachesLimit ? generation : -1;
        if (result.State is not null)
        {
            S.StateJson = result.State;
        }
        S.Status = FlowNodeStatus.Waiting;
        S.Error = null;
        S.Applied++;
        AddRun(run with { Outcome = FlowNodeStatus.Completed });
        await state.WriteStateAsync();
        Signal();
        TraceGeneration(run, "completed", null);
        var reported = S.Outputs.ToArray();
        Notify(flow => flow.NodeCompleted(node, generation, reported));
    }

    /// <inheritdoc/>
    public async Task Cancel(string reason)
    {
        if (S.Running is not { } running)
        {
            if (S.HeldGeneration >= 0 && !S.Stopped)
            {
                // The node that reached the limit: its consumers still wait for the end of that generation.
                S.Stopped = true;
                await state.WriteStateAsync();
                Signal();
            }
            return;
        }
        S.Stopped = true;
        S.Running = null;
        S.Status = FlowNodeStatus.Cancelled;
        S.Error = reason;
        var stopped = new FlowNodeRun { Generation = running.Generation, ActionRunId = running.ActionRunId, StartedAtMs = running.StartedAtMs, FinishedAtMs = Now, Outcome = FlowNodeStatus.Cancelled, Parts = running.Parts.Count };
        AddRun(stopped);
        await state.WriteStateAsync();
        Signal();
        TraceGeneration(stopped, "cancelled", null);
        StopLocalRun();
        if (running.ActionRunId is { } actionRunId)
        {
            // Its worker's handler is told at its next heartbeat; whatever it reports is ignored.
            _ = CancelActionRunAsync(actionRunId);
        }
    }

    /// <inheritdoc/>
    public async Task Delete()
    {
        StopLocalRun();
        if (S.Running?.ActionRunId is { } actionRunId)
        {
            _ = CancelActionRunAsync(actionRunId);
        }
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }
        state.State = new FlowNodeState();
        executing = -1;
        // Part readers still waiting (none should: the run finished) find nothing and stop.
        Signal();
        DeactivateOnIdle();
    }

    /// <inheritdoc/>
    public Task<FlowNodeInfo?> Get()
    {
        if (!state.RecordExists && S.Running is null)
        {
            return Task.FromResult<FlowNodeInfo?>(null);
        }
        return Task.FromResult<FlowNodeInfo?>(new FlowNodeInfo
        {
            Name = node,
            NodeType = S.NodeType,
            Generation = S.Running is { Parts.Count: > 0 } r ? new FlowGeneration(r.Generation, r.Parts.Count - 1)
                : S.Completed >= 0 ? new FlowGeneration(S.Completed) : null,
            Completed = S.Completed,
            Running = S.Running?.Generation,
            Status = S.Status,
            ValueJson = S.Completed >= 0 && S.Outputs.Count > 0 ? S.Outputs[0] : null,
            OutputsJson = [.. S.Outputs],
            StateJson = S.StateJson,
            Error = S.Error,
            Applied = S.Applied,
            Discarded = S.Discarded,
            Runs = [.. S.Runs],
        });
    }

    private static NodeSnapshot SnapshotOf(FlowNodeState s) => new()
    {
        Completed = s.Completed,
        Running = s.Running?.Generation ?? -1,
        Status = s.Status,
        Outputs = [.. s.Outputs],
        Error = s.Error,
        FailedGeneration = s.FailedGeneration,
    };

    /// <summary>
    /// The generation's span, recorded once it ended (so one per generation, whichever activation applied it) from the
    /// stored start time, as a child of the run's span.
    /// </summary>
    private void TraceGeneration(FlowNodeRun run, string outcome, string? error)
    {
        var span = FlowTracing.StartNodeSpan(FlowTracing.GenerationSpan, S.TraceParent, S.TraceState, ns, runId, node, run.Generation, DateTimeOffset.FromUnixTimeMilliseconds(run.StartedAtMs));
        if (span is null)
        {
            return;
        }
        span.SetTag(FlowTracing.NodeTypeTag, S.NodeType);
        span.SetTag(FlowTracing.ActionRunTag, run.ActionRunId);
        if (run.Parts > 0)
        {
            span.SetTag("flo.flow.parts", run.Parts);
        }
        FlowTracing.End(span, outcome, error, DateTimeOffset.FromUnixTimeMilliseconds(run.FinishedAtMs));
    }

    private void AddRun(FlowNodeRun run)
    {
        S.Runs.Add(run);
        if (S.Runs.Count > FlowNodeInfo.MaxRuns)
        {
            S.Runs.RemoveAt(0);
        }
    }

    /// <summary>Wakes part readers (and anything else waiting for this node to change).</summary>
    private void Signal()
    {
        var woken = changed;
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        woken.TrySetResult();
    }

    /// <summary>Tells the flow run in the background; it also asks running nodes itself, so a lost report is found.</summary>
    private void Notify(Func<IFlowRunGrain, Task> report) => _ = NotifyAsync(report);

    private async Task NotifyAsync(Func<IFlowRunGrain, Task> report)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await report(FlowRun);
                return;
            }
            catch (Exception e) when (attempt < 5 && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                LogNotifyRetry(logger, e, ns, runId, node);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time);
            }
            catch (Exception e)
            {
                LogNotifyFailed(logger, e, ns, runId, node);
                return;
            }
        }
    }

    private async Task CancelActionRunAsync(string actionRunId)
    {
        try
        {
            await Actions.CancelAsync(ns, actionRunId);
        }
        catch (Exception e)
        {
            LogCancelFailed(logger, e, ns, runId, node, actionRunId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow run {Namespace}/{RunId}: node {Node} failed at generation {Generation}: {Error}")]
    private static partial void LogFailed(ILogger logger, string @namespace, string runId, string node, int generation, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Flow run {Namespace}/{RunId}: telling the run about node {Node} failed; trying again")]
    private static partial void LogNotifyRetry(ILogger logger, Exception error, string @namespace, string runId, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: node {Node} could not tell the run; the run finds out when it next asks")]
    private static partial void LogNotifyFailed(ILogger logger, Exception error, string @namespace, string runId, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: cancelling node {Node}'s action run {ActionRunId} failed")]
    private static partial void LogCancelFailed(ILogger logger, Exception error, string @namespace, string runId, string node, string actionRunId);
}
