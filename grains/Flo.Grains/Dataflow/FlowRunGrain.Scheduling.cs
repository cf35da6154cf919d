using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>Handing generations to nodes, hearing back, stopping and finishing.</summary>
public sealed partial class FlowRunGrain
{
    // Hand-overs whose call failed (a node's silo was lost): resent by the watch timer until one is taken.
    private readonly Dictionary<int, NodeRunRequest> undelivered = [];

    // Each made once: Orleans' GetGrain looks the interface's attributes up on every call.
    private IFlowNodeGrain[]? nodeGrains;

    private IFlowNodeGrain Node(int i)
        => (nodeGrains ??= new IFlowNodeGrain[schedule!.Nodes.Count])[i] ??= GrainFactory.GetGrain<IFlowNodeGrain>(FlowLimits.NodeKey(ns, runId, schedule!.Nodes[i].Name));

    /// <summary>Starts every generation that can start, and finishes the run when nothing runs and nothing can start.</summary>
    private async Task PumpAsync()
    {
        while (IsRunning)
        {
            var runs = schedule!.TakeRunnable();
            foreach (var (i, request) in runs)
            {
                events.Add(new FlowEvent { Kind = FlowEventKind.NodeStarted, Node = schedule.Nodes[i].Name, Generation = request.Generation, Status = FlowRunStatus.Running });
            }
            var answers = await Task.WhenAll(runs.Select(r => DeliverAsync(r.Node, r.Request)));
            // A node may answer that it already holds the generation (the run's view was behind): take that as its report.
            var changed = false;
            foreach (var (i, snapshot) in answers.Where(a => a.Snapshot is not null).Select(a => (a.Node, a.Snapshot!)))
            {
                changed |= await TakeSnapshotAsync(i, snapshot);
            }
            if (!IsRunning)
            {
                return;
            }
            if (changed)
            {
                continue;
            }
            if (!schedule.AnyRunning && undelivered.Count == 0)
            {
                var failed = schedule.Views.Count(v => v.Failed);
                await FinishAsync(
                    failed == 0 ? FlowRunStatus.Completed : FlowRunStatus.Failed,
                    failed == 0 ? "no node can run any more" : $"no node can run any more; {failed} node(s) failed",
                    null);
            }
            return;
        }
    }

    private async Task<(int Node, NodeSnapshot? Snapshot)> DeliverAsync(int i, NodeRunRequest request)
    {
        try
        {
            var snapshot = await Node(i).Run(request);
            undelivered.Remove(i);
            return (i, snapshot.Completed >= request.Generation || snapshot.Status == FlowNodeStatus.Failed ? snapshot : null);
        }
        catch (Exception e)
        {
            LogDeliveryFailed(logger, e, ns, runId, schedule!.Nodes[i].Name, request.Generation);
            undelivered[i] = request;
            return (i, null);
        }
    }

    /// <summary>Applies what a node's grain holds beyond the run's view (a lost report); true when anything changed.</summary>
    private async Task<bool> TakeSnapshotAsync(int i, NodeSnapshot snapshot)
    {
        var view = schedule!.Views[i];
        if (snapshot.Status == FlowNodeStatus.Failed && !view.Failed)
        {
            return await OnFailedAsync(i, snapshot.FailedGeneration, snapshot.Error ?? "failed");
        }
        if (snapshot.Completed > view.Completed && snapshot.Completed == view.Dispatched)
        {
            return await OnCompletedAsync(i, snapshot.Completed, [.. snapshot.Outputs]);
        }
        if (snapshot.Running < 0 && snapshot.Completed < view.Dispatched && view.IsRunning && !undelivered.ContainsKey(i))
        {
            // The node does not hold the generation it was given (its write was lost): hand it over again.
            undelivered[i] = schedule.Request(i, view.Dispatched);
        }
        return false;
    }

    /// <summary>Records a completion; stops the run when it reaches a limit. False when it changed nothing or stopped the run.</summary>
    private async Task<bool> OnCompletedAsync(int i, int generation, IReadOnlyList<string> outputs)
    {
        if (!schedule!.Complete(i, generation, outputs))
        {
            return false;
        }
        var name = schedule.Nodes[i].Name;
        events.Add(new FlowEvent { Kind = FlowEventKind.NodeCompleted, Node = name, Generation = generation, ValueJson = outputs.Count > 0 ? outputs[0] : null, Status = FlowRunStatus.Running });
        if (schedule.ReachesLimit(i, generation))
        {
            await FinishAsync(FlowRunStatus.LimitReached, $"node '{name}' reached generation {new FlowGeneration(generation)}", name);
            return false;
        }
        return true;
    }

    /// <summary>Records a failure; stops the run when errors terminate it. False when it changed nothing or stopped the run.</summary>
    private async Task<bool> OnFailedAsync(int i, int generation, string error)
    {
        if (!schedule!.Fail(i, generation, error))
        {
            return false;
        }
        var name = schedule.Nodes[i].Name;
        events.Add(new FlowEvent { Kind = FlowEventKind.NodeFailed, Node = name, Generation = generation, Error = error, Status = FlowRunStatus.Running });
        if (S.Start.TerminateOnNodeError)
        {
            await FinishAsync(FlowRunStatus.Failed, $"node '{name}' failed at generation {new FlowGeneration(generation)}: {error}", null);
            return false;
        }
        return true;
    }

    /// <summary>After activation: a node may hold a completion at its limit, or a failure, that the run never heard of.</summary>
    private async Task<bool> StopIfDueAsync()
    {
        for (var i = 0; i < schedule!.Nodes.Count && IsRunning; i++)
        {
            var view = schedule.Views[i];
            if (view.Failed && S.Start.TerminateOnNodeError)
            {
                await FinishAsync(FlowRunStatus.Failed, $"node '{schedule.Nodes[i].Name}' failed at generation {new FlowGeneration(view.FailedGeneration)}: {view.Error}", null);
            }
            else if (view.Completed >= 0 && schedule.ReachesLimit(i, view.Completed))
            {
                await FinishAsync(FlowRunStatus.LimitReached, $"node '{schedule.Nodes[i].Name}' reached generation {new FlowGeneration(view.Completed)}", schedule.Nodes[i].Name);
            }
        }
        return !IsRunning;
    }

    /// <summary>Stores how the run ended, wakes waiters, and stops the nodes still running (their results are ignored).</summary>
    private async Task FinishAsync(FlowRunStatus status, string reason, string? limitNode)
    {
        S.Status = status;
        S.Reason = reason;
        S.LimitNode = limitNode;
        S.FinishedAtMs = Now;
        await state.WriteStateAsync();
        Reindex();
        LogFinished(logger, ns, runId, status, reason);
        var running = Enumerable.Range(0, schedule!.Nodes.Count).Where(i => schedule.Views[i].IsRunning).ToList();
        foreach (var i in running)
        {
            events.Add(new FlowEvent { Kind = FlowEventKind.NodeCancelled, Node = schedule.Nodes[i].Name, Generation = schedule.Views[i].Dispatched, Status = status });
        }
        // The node at its limit is told too: consumers reading its last generation stop waiting for its end.
        var stopping = limitNode is null ? running : [.. running, schedule.IndexOf(limitNode)];
        events.Add(new FlowEvent { Kind = FlowEventKind.RunFinished, Status = status, Error = status == FlowRunStatus.Failed ? reason : null });
        finished.TrySetResult();
        Disarm();
        undelivered.Clear();
        await Task.WhenAll(stopping.Select(async i =>
        {
            try
            {
                await Node(i).Cancel($"the flow run stopped: {reason}");
            }
            catch (Exception e)
            {
                // Its late result is ignored either way: the run no longer takes reports.
                LogNodeUnreachable(logger, e, ns, runId, schedule.Nodes[i].Name);
            }
        }));
        await reminder.DropAsync();
    }

    /// <summary>Asks every node for what it holds (on activation).</summary>
    private async Task LoadNodesAsync()
    {
        var snapshots = await Task.WhenAll(Enumerable.Range(0, schedule!.Nodes.Count).Select(async i =>
        {
            try
            {
                return await Node(i).Snapshot();
            }
            catch (Exception e)
            {
                LogNodeUnreachable(logger, e, ns, runId, schedule.Nodes[i].Name);
                return null;
            }
        }));
        for (var i = 0; i < snapshots.Length; i++)
        {
            if (snapshots[i] is { } snapshot)
            {
                schedule.Load(i, snapshot);
            }
        }
    }

    private void Arm()
    {
        watch ??= this.RegisterGrainTimer(WatchAsync, new GrainTimerCreationOptions(WatchPeriod, WatchPeriod) { KeepAlive = true });
    }

    private void Disarm()
    {
        watch?.Dispose();
        watch = null;
    }

    /// <summary>Resends failed hand-overs and asks running nodes how they are (a lost report is found this way).</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (!IsRunning)
        {
            return;
        }
        reminder.Ensure();
        foreach (var (i, request) in undelivered.ToList())
        {
            if (await DeliverAsync(i, request) is { Snapshot: { } snapshot })
            {
                await TakeSnapshotAsync(i, snapshot);
            }
        }
        var running = Enumerable.Range(0, schedule!.Nodes.Count).Where(i => schedule.Views[i].IsRunning && !undelivered.ContainsKey(i)).ToList();
        var changed = false;
        foreach (var i in running)
        {
            NodeSnapshot snapshot;
            try
            {
                snapshot = await Node(i).Snapshot();
            }
            catch (Exception e)
            {
                LogNodeUnreachable(logger, e, ns, runId, schedule.Nodes[i].Name);
                continue;
            }
            changed |= IsRunning && await TakeSnapshotAsync(i, snapshot);
        }
        if (changed || undelivered.Count == 0)
        {
            await PumpAsync();
        }
    }
}
