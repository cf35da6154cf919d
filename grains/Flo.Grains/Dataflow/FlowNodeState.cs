using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>
/// A node's stored state: its last completed generation with outputs (and parts, if it streams) and state, and the
/// generation running with the inputs it was given. Rewritten at every step (a node holds one generation's worth).
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.node-state")]
public sealed class FlowNodeState
{
    [Id(0)] public string NodeType { get; set; } = "";

    [Id(1)] public bool Streaming { get; set; }

    /// <summary>The last completed generation (-1: none).</summary>
    [Id(2)] public int Completed { get; set; } = -1;

    /// <summary>Its outputs by port, as JSON.</summary>
    [Id(3)] public List<string> Outputs { get; set; } = [];

    /// <summary>Its parts (each as JSON by port), kept for consumers still reading them.</summary>
    [Id(4)] public List<string[]> LastParts { get; set; } = [];

    /// <summary>A stateful node's state after <see cref="Completed"/>, as JSON.</summary>
    [Id(5)] public string? StateJson { get; set; }

    /// <summary>The generation running, if any.</summary>
    [Id(6)] public NodeRunningState? Running { get; set; }

    [Id(7)] public FlowNodeStatus Status { get; set; }

    [Id(8)] public string? Error { get; set; }

    [Id(9)] public int FailedGeneration { get; set; } = -1;

    /// <summary>A completed generation that reached the run's limit: its consumers never see it end (-1: none).</summary>
    [Id(10)] public int HeldGeneration { get; set; } = -1;

    /// <summary>Generations applied.</summary>
    [Id(11)] public long Applied { get; set; }

    /// <summary>Reports ignored (repeats, or for a generation no longer running).</summary>
    [Id(12)] public long Discarded { get; set; }

    /// <summary>The most recent runs.</summary>
    [Id(13)] public List<FlowNodeRun> Runs { get; set; } = [];

    /// <summary>The flow run stopped: readers of <see cref="HeldGeneration"/> are told so instead of waiting.</summary>
    [Id(14)] public bool Stopped { get; set; }

    /// <summary>The run's trace context (W3C <c>traceparent</c>), as the run handed it over with the latest generation.</summary>
    [Id(15)] public string? TraceParent { get; set; }

    [Id(16)] public string? TraceState { get; set; }
}

/// <summary>The generation a node is running.</summary>
[GenerateSerializer]
[Alias("flo.flow.node-running")]
public sealed class NodeRunningState
{
    [Id(0)] public int Generation { get; set; }

    /// <summary>The inputs it was given (so a re-run after a silo loss gets the same ones).</summary>
    [Id(1)] public List<NodeInputValue> Inputs { get; set; } = [];

    [Id(2)] public bool ReachesLimit { get; set; }

    /// <summary>Its action run, once created.</summary>
    [Id(3)] public string? ActionRunId { get; set; }

    [Id(4)] public long StartedAtMs { get; set; }

    /// <summary>Parts emitted so far (each as JSON by port).</summary>
    [Id(5)] public List<string[]> Parts { get; set; } = [];

    /// <summary>
    /// Attempts started in a silo (a silo-hosted node type; 0: it runs as an action run). Stored before each attempt
    /// after the first, so a silo lost while running the code counts as a lost attempt, as a lost worker does.
    /// </summary>
    [Id(6)] public int LocalAttempts { get; set; }
}
