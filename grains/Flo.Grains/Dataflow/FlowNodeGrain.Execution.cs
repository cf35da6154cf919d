using System.Text;
using System.Text.Json;
using Flo.Actions;
using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>Running a generation as an action run and watching it.</summary>
public sealed partial class FlowNodeGrain
{
    private bool IsRunning(int generation) => S.Running?.Generation == generation;

    /// <summary>Starts the background work of a generation unless this activation already does it.</summary>
    private void StartExecution(int generation)
    {
        if (executing == generation)
        {
            return;
        }
        executing = generation;
        _ = RunsHere(out var timeout, out var maxRetries) ? ExecuteHereAsync(generation, timeout, maxRetries) : ExecuteAsync(generation);
    }

    /// <summary>Creates the generation's action run (or finds it again by its key), then waits for its end and reports it.</summary>
    private async Task ExecuteAsync(int generation)
    {
        try
        {
            var backoff = TimeSpan.FromMilliseconds(100);
            while (IsRunning(generation) && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                try
                {
                    var actionRunId = S.Running!.ActionRunId ?? await InvokeAsync(generation);
                    if (actionRunId is null)
                    {
                        return;
                    }
                    if (!IsRunning(generation))
                    {
                        // Stopped while the action run was being created: it need not run. Unless it is what ended the
                        // generation: its worker may report before this call returns (a new activation finding a run
                        // that was running by its key, or a fast worker); it completes that run itself.
                        if (!ReportedBy(generation, actionRunId))
                        {
                            _ = CancelActionRunAsync(actionRunId);
                        }
                        return;
                    }
                    // Kept in memory, stored with the generation's next write: not stored on its own, because a new
                    // activation finds the same action run again by its idempotency key (a write per node run saved).
                    // This runs on the activation's scheduler, between turns, so the change needs no call of its own.
                    S.Running!.ActionRunId ??= actionRunId;
                    await WatchActionRunAsync(generation, actionRunId);
                    return;
                }
                catch (Exception e) when (!lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    // A silo of the action's grains was lost, or storage failed: ask again (same key, same run).
                    LogExecutionRetry(logger, e, ns, runId, node, generation);
                    await Task.Delay(backoff, time);
                    backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5_000));
                }
            }
        }
        finally
        {
            if (executing == generation)
            {
                executing = -1;
            }
        }
    }

    /// <summary>Whether the generation ended with a report from this action run (completed or failed, not cancelled).</summary>
    private bool ReportedBy(int generation, string actionRunId)
        => S.Runs.Any(r => r.Generation == generation && r.ActionRunId == actionRunId && r.Outcome != FlowNodeStatus.Cancelled);

    /// <summary>Invokes the node type's action for the running generation; null when that cannot succeed (the node has failed).</summary>
    private async Task<string?> InvokeAsync(int generation)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(Payload(generation), FlowJson.Options);
        var action = FlowLimits.ActionName(S.NodeType);
        try
        {
            return await Actions.InvokeAsync(ns, action, new RunInvocation { Payload = payload, IdempotencyKey = FlowLimits.RunKey(runId, node, generation) });
        }
        catch (ActionNotFoundException)
        {
            await FailAsync(generation, $"no worker hosts node type '{S.NodeType}' (action '{action}' is not registered)");
        }
        catch (ActionArgumentException e)
        {
            await FailAsync(generation, $"the generation's inputs cannot be sent to a worker: {e.Message}");
        }
        return null;
    }

    /// <summary>Waits for the action run's end (long polls) and reports its result, unless the generation stopped meanwhile.</summary>
    private async Task WatchActionRunAsync(int generation, string actionRunId)
    {
        var run = Actions.Run(ns, actionRunId);
        while (IsRunning(generation))
        {
            var view = await run.Wait(GrainWaits.MaxWaitMs, lifetime.ApplicationStopping);
            if (!IsRunning(generation))
            {
                return;
            }
            if (view is null)
            {
                await FailAsync(generation, $"the node's action run {actionRunId} no longer exists");
                return;
            }
            if (!view.Status.IsFinished())
            {
                continue;
            }
            if (view.Status == RunStatus.Completed && view.Result is { Length: > 0 } result)
            {
                await Self.Report(generation, actionRunId, Encoding.UTF8.GetString(result));
            }
            else
            {
                await FailAsync(generation, $"the node's action run {actionRunId} ended {view.Status}: {view.Error}");
            }
            return;
        }
    }

    /// <summary>What the running generation's code is given, wherever it runs.</summary>
    private NodeRunPayload Payload(int generation) => new()
    {
        Namespace = ns,
        RunId = runId,
        Node = node,
        NodeType = S.NodeType,
        Generation = generation,
        Inputs = S.Running!.Inputs,
        State = S.StateJson,
        TraceParent = S.TraceParent,
        TraceState = S.TraceState,
    };

    private Task FailAsync(int generation, string error)
        => Self.Report(generation, null, JsonSerializer.Serialize(new NodeRunResult { Error = error }, FlowJson.Options));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: running node {Node} generation {Generation} hit an error; trying again")]
    private static partial void LogExecutionRetry(ILogger logger, Exception error, string @namespace, string runId, string node, int generation);
}
