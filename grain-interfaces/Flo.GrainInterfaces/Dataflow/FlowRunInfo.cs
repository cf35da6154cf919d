namespace Flo.Dataflow;

/// <summary>A flow run as clients see it: its status, why it stopped, and every node's generation and last value.</summary>
[GenerateSerializer]
[Alias("flo.flow.run-info")]
public sealed record FlowRunInfo
{
    /// <summary>The run's id.</summary>
    [Id(0)] public string RunId { get; init; } = "";

    /// <summary>Its namespace.</summary>
    [Id(1)] public string Namespace { get; init; } = "";

    /// <summary>The flow's name.</summary>
    [Id(2)] public string Flow { get; init; } = "";

    /// <summary>Where it is.</summary>
    [Id(3)] public FlowRunStatus Status { get; init; }

    /// <summary>Why it stopped, in words (null while running).</summary>
    [Id(4)] public string? Reason { get; init; }

    /// <summary>The node that reached its limit (<see cref="FlowRunStatus.LimitReached"/>).</summary>
    [Id(5)] public string? LimitNode { get; init; }

    /// <summary>Nodes that failed, with their errors.</summary>
    [Id(6)] public IReadOnlyList<FlowNodeError> NodeErrors { get; init; } = [];

    /// <summary>The nodes, in definition order.</summary>
    [Id(7)] public IReadOnlyList<FlowNodeSummary> Nodes { get; init; } = [];

    /// <summary>When it started (Unix ms).</summary>
    [Id(8)] public long StartedAtMs { get; init; }

    /// <summary>When it stopped (Unix ms; 0 while running).</summary>
    [Id(9)] public long FinishedAtMs { get; init; }

    /// <summary>The node called <paramref name="name"/>; throws <see cref="FlowNodeNotFoundException"/> when there is none.</summary>
    public FlowNodeSummary Node(string name)
        => Nodes.FirstOrDefault(n => n.Name == name) ?? throw new FlowNodeNotFoundException($"Flow run {RunId} has no node '{name}'.");
}

/// <summary>One node in a run's summary.</summary>
[GenerateSerializer]
[Alias("flo.flow.node-summary")]
public sealed record FlowNodeSummary
{
    /// <summary>The node's name.</summary>
    [Id(0)] public string Name { get; init; } = "";

    /// <summary>Its node type.</summary>
    [Id(1)] public string NodeType { get; init; } = "";

    /// <summary>Its last completed generation, <c>(g,)</c>; null before its first run completed.</summary>
    [Id(2)] public FlowGeneration? Generation { get; init; }

    /// <summary>Where it is.</summary>
    [Id(3)] public FlowNodeStatus Status { get; init; }

    /// <summary>Its last value (of <see cref="Generation"/>) as JSON; null before its first run completed.</summary>
    [Id(4)] public string? ValueJson { get; init; }

    /// <summary>Its error (failed nodes).</summary>
    [Id(5)] public string? Error { get; init; }
}

/// <summary>A node's failure.</summary>
[GenerateSerializer]
[Alias("flo.flow.node-error")]
public sealed record FlowNodeError
{
    /// <summary>The node.</summary>
    [Id(0)] public string Node { get; init; } = "";

    /// <summary>The generation that failed.</summary>
    [Id(1)] public int Generation { get; init; }

    /// <summary>The error (<c>Type: message</c>).</summary>
    [Id(2)] public string Error { get; init; } = "";
}
