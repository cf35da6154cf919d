namespace Flo.Dataflow;

/// <summary>What a flow run is started with: the graph and how far to run it (seed: <c>run_until_complete(...)</c>).</summary>
[GenerateSerializer]
[Alias("flo.flow.run-start")]
public sealed record FlowRunStart
{
    /// <summary>The flow, analyzed (<see cref="FlowGraphAnalysis"/>).</summary>
    [Id(0)] public FlowGraph Graph { get; init; } = new();

    /// <summary>
    /// A limit for every node (seed: <c>stop_at_node_generation=(3,)</c>): the run stops, with
    /// <see cref="FlowRunStatus.LimitReached"/>, as soon as any node reaches it. Null: none.
    /// </summary>
    [Id(1)] public FlowGeneration? StopAt { get; init; }

    /// <summary>Limits for some nodes by name (seed: <c>stop_at_node_generation={f.reverse: (1,)}</c>); they override <see cref="StopAt"/>.</summary>
    [Id(2)] public IReadOnlyDictionary<string, FlowGeneration> StopAtNode { get; init; } = new Dictionary<string, FlowGeneration>();

    /// <summary>
    /// Whether a node's error stops the run (default, the seed's <c>FlowHDL</c> default) or only marks that node failed
    /// while the rest runs as far as it can.
    /// </summary>
    [Id(3)] public bool TerminateOnNodeError { get; init; } = true;

    /// <summary>The limit of <paramref name="node"/>: its own, else the global one, else none.</summary>
    public FlowGeneration? LimitOf(string node) => StopAtNode.TryGetValue(node, out var own) ? own : StopAt;
}

/// <summary>Where a flow run is. Values are stored: frozen.</summary>
public enum FlowRunStatus
{
    /// <summary>Nodes are running or waiting for inputs.</summary>
    Running = 0,
    /// <summary>No node can run any more and none failed.</summary>
    Completed = 1,
    /// <summary>A node reached its generation limit (<see cref="FlowRunInfo.LimitNode"/>): a result, not an error.</summary>
    LimitReached = 2,
    /// <summary>A node failed and stopped the run, or the run went quiet with failed nodes (see <see cref="FlowRunInfo.NodeErrors"/>).</summary>
    Failed = 3,
    /// <summary>Cancelled.</summary>
    Cancelled = 4,
}

/// <summary>Where a node of a run is. Values are stored: frozen.</summary>
public enum FlowNodeStatus
{
    /// <summary>Waiting for inputs (or never ran).</summary>
    Waiting = 0,
    /// <summary>A generation is running on a worker.</summary>
    Running = 1,
    /// <summary>It ran every generation it will run (a node outside cycles after its one run, or any node once the run finished).</summary>
    Completed = 2,
    /// <summary>Its last run failed (<see cref="FlowNodeInfo.Error"/>); it runs no more.</summary>
    Failed = 3,
    /// <summary>Its running generation was stopped because the run stopped.</summary>
    Cancelled = 4,
}

/// <summary>Flow status helpers.</summary>
public static class FlowStatusExtensions
{
    /// <summary>Whether the run has stopped for good.</summary>
    public static bool IsFinished(this FlowRunStatus status) => status != FlowRunStatus.Running;
}
