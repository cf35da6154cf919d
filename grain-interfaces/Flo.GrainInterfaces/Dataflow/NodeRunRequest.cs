namespace Flo.Dataflow;

/// <summary>How one input of one node generation is given. Values are stored: frozen.</summary>
public enum NodeInputKind
{
    /// <summary>A value, as JSON (a constant or a producer's output).</summary>
    Value = 0,
    /// <summary>The parameter's default (not connected, or a cycle's first generation).</summary>
    Default = 1,
    /// <summary>A producer's generation read part by part while it streams (<see cref="NodeInputValue.From"/>).</summary>
    Stream = 2,
}

/// <summary>One input of one node generation, as the node's grain stores it and as its worker receives it (JSON).</summary>
/// <remarks>Immutable and never shared within a graph: it skips copying and reference tracking.</remarks>
[GenerateSerializer]
[Immutable]
[SuppressReferenceTracking]
[Alias("flo.flow.node-input")]
public sealed record NodeInputValue
{
    /// <summary>How it is given.</summary>
    [Id(0)] public NodeInputKind Kind { get; init; }

    /// <summary>The value as JSON (<see cref="NodeInputKind.Value"/>).</summary>
    [Id(1)] public string? Json { get; init; }

    /// <summary>The producing node (<see cref="NodeInputKind.Stream"/>).</summary>
    [Id(2)] public string? From { get; init; }

    /// <summary>The producer's output port.</summary>
    [Id(3)] public int FromPort { get; init; }

    /// <summary>The producer's generation to read.</summary>
    [Id(4)] public int FromGeneration { get; init; }
}

/// <summary>What a flow run asks a node to do: run one generation with these inputs.</summary>
[GenerateSerializer]
[Alias("flo.flow.node-run-request")]
public sealed record NodeRunRequest
{
    /// <summary>The generation to run (the node's last completed one plus one).</summary>
    [Id(0)] public int Generation { get; init; }

    /// <summary>The node's type (its action is <c>flow:{type}</c>).</summary>
    [Id(1)] public string NodeType { get; init; } = "";

    /// <summary>Whether the node streams its output.</summary>
    [Id(2)] public bool Streaming { get; init; }

    /// <summary>
    /// Whether completing this generation reaches the node's limit: the run stops then, so the node does not let its
    /// consumers see the end of it (as the seed stops before it passes the value on).
    /// </summary>
    [Id(3)] public bool ReachesLimit { get; init; }

    /// <summary>The inputs, in parameter order.</summary>
    [Id(4)] public IReadOnlyList<NodeInputValue> Inputs { get; init; } = [];

    /// <summary>The run's trace context (W3C <c>traceparent</c>): the parent of the generation's spans (<see cref="FlowTracing"/>).</summary>
    [Id(5)] public string? TraceParent { get; init; }

    /// <summary>The run's W3C <c>tracestate</c>, if any.</summary>
    [Id(6)] public string? TraceState { get; init; }
}

/// <summary>A node's grain state as the flow run needs it to schedule (after the run's grain reactivated).</summary>
[GenerateSerializer]
[Alias("flo.flow.node-snapshot")]
public sealed record NodeSnapshot
{
    /// <summary>The last completed generation (-1: none).</summary>
    [Id(0)] public int Completed { get; init; } = -1;

    /// <summary>The generation running (-1: none).</summary>
    [Id(1)] public int Running { get; init; } = -1;

    /// <summary>Where it is.</summary>
    [Id(2)] public FlowNodeStatus Status { get; init; }

    /// <summary>The last completed generation's outputs by port, as JSON.</summary>
    [Id(3)] public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>Its error (failed nodes).</summary>
    [Id(4)] public string? Error { get; init; }

    /// <summary>The generation that failed (failed nodes).</summary>
    [Id(5)] public int FailedGeneration { get; init; } = -1;
}
