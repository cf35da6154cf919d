namespace Flo.Dataflow;

/// <summary>
/// One node of one flow run (grain key <c>ns/runId/node</c>): its last completed generation, outputs and state, and
/// the generation running with its inputs, all stored. It runs a generation as an action run of <c>flow:{type}</c>
/// with the idempotency key <c>flow:{runId}:{node}:{generation}</c>, applies each generation's result exactly once,
/// and serves the parts a streaming generation emits to the consumers reading them.
/// </summary>
[Alias("flo.flow.node")]
public interface IFlowNodeGrain : IGrainWithStringKey
{
    /// <summary>Runs a generation (from the flow run); asking again for the running or an applied generation changes nothing.</summary>
    [Idempotent]
    [Alias("run")]
    Task<NodeSnapshot> Run(NodeRunRequest request);

    /// <summary>What the flow run needs to schedule.</summary>
    [ReadOnly]
    [Alias("snapshot")]
    Task<NodeSnapshot> Snapshot();

    /// <summary>
    /// A worker (or the grain watching the action run) reports the generation's result (<see cref="NodeRunResult"/>
    /// JSON) from action run <paramref name="actionRunId"/>; only the running generation's first report is applied.
    /// </summary>
    [Idempotent]
    [Alias("report")]
    Task Report(int generation, string? actionRunId, string resultJson);

    /// <summary>A streaming generation emitted parts <paramref name="first"/>.. (each as JSON by output port); parts already held are ignored.</summary>
    [Idempotent]
    [Alias("emit-parts")]
    Task EmitParts(int generation, int first, string[][] parts);

    /// <summary>Parts of <paramref name="generation"/> after index <paramref name="after"/> (exclusive; -1 for all) of output <paramref name="port"/>, waiting up to <paramref name="blockMs"/> for one.</summary>
    [AlwaysInterleave]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    [Alias("read-parts")]
    Task<FlowPartsPage> ReadParts(int generation, int port, int after, int blockMs, CancellationToken cancellationToken = default);

    /// <summary>Stops the running generation, if any (its action run is cancelled and its result ignored).</summary>
    [Alias("cancel")]
    Task Cancel(string reason);

    /// <summary>Deletes the node's stored state (its run is being deleted); a running generation is stopped first.</summary>
    [Idempotent]
    [Alias("delete")]
    Task Delete();

    /// <summary>The node in detail, or null when it never ran.</summary>
    [ReadOnly]
    [Alias("get")]
    Task<FlowNodeInfo?> Get();
}
