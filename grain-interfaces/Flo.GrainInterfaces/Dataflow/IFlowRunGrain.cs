namespace Flo.Dataflow;

/// <summary>
/// One flow run (grain key <c>ns/runId</c>): the graph, the limits, the status, and the scheduling of its nodes. It
/// decides which node runs which generation next and hands it to the node's grain (<see cref="IFlowNodeGrain"/>),
/// which keeps the node's generation, outputs and inputs durably; after a silo loss the run rebuilds its view from
/// the node grains and carries on.
/// </summary>
[Alias("flo.flow.run")]
public interface IFlowRunGrain : IGrainWithStringKey
{
    /// <summary>Starts the run; starting it again returns it as it is (the first start's graph and limits hold).</summary>
    [Idempotent]
    [Alias("start")]
    Task<FlowRunInfo> Start(FlowRunStart start);

    /// <summary>The run, or null when there is none.</summary>
    [ReadOnly]
    [Alias("get")]
    Task<FlowRunInfo?> Get();

    /// <summary>What the run was started with (its analyzed graph, limits, error policy), or null when there is none.</summary>
    [ReadOnly]
    [Alias("definition")]
    Task<FlowRunStart?> Definition();

    /// <summary>The run once it finished, or as it is when <paramref name="blockMs"/> passed; null when there is none.</summary>
    [AlwaysInterleave]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    [Alias("wait")]
    Task<FlowRunInfo?> Wait(int blockMs, CancellationToken cancellationToken = default);

    /// <summary>Cancels the run unless it finished (running generations are stopped); returns whether this call cancelled it.</summary>
    [Alias("cancel")]
    Task<bool> Cancel();

    /// <summary>Events numbered above <paramref name="after"/> (of the current <see cref="FlowEventPage.Epoch"/>), waiting up to <paramref name="blockMs"/> for one.</summary>
    [AlwaysInterleave]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    [Alias("read-events")]
    Task<FlowEventPage> ReadEvents(long after, int max, int blockMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a finished run: its node grains' state, the values it passed by reference (KV keys <c>flow/{runId}/</c>),
    /// its own state and its entry in the namespace's index. False when there is no run (its index entry, if any, is
    /// removed too); throws <see cref="FlowRunNotFinishedException"/> while it runs. A repeat after a partial failure
    /// finishes the job.
    /// </summary>
    [Alias("delete")]
    Task<bool> Delete();

    /// <summary>A node applied a generation (sent by the node's grain; a repeat is ignored).</summary>
    [Idempotent]
    [Alias("node-completed")]
    Task NodeCompleted(string node, int generation, string[] outputs);

    /// <summary>A node's generation failed (sent by the node's grain; a repeat is ignored).</summary>
    [Idempotent]
    [Alias("node-failed")]
    Task NodeFailed(string node, int generation, string error);
}
