namespace Flo.Dataflow;

/// <summary>A node of a flow run in detail, read from its grain.</summary>
[GenerateSerializer]
[Alias("flo.flow.node-info")]
public sealed record FlowNodeInfo
{
    /// <summary>The node's name.</summary>
    [Id(0)] public string Name { get; init; } = "";

    /// <summary>Its node type.</summary>
    [Id(1)] public string NodeType { get; init; } = "";

    /// <summary>
    /// The seed's <c>node.generation</c>: the newest value it produced, a part <c>(g, p)</c> while a streaming run is
    /// under way, else its last final value <c>(g,)</c>; null before it produced anything.
    /// </summary>
    [Id(2)] public FlowGeneration? Generation { get; init; }

    /// <summary>Its last completed generation (-1: none).</summary>
    [Id(3)] public int Completed { get; init; } = -1;

    /// <summary>The generation running now, if any.</summary>
    [Id(4)] public int? Running { get; init; }

    /// <summary>Where it is.</summary>
    [Id(5)] public FlowNodeStatus Status { get; init; }

    /// <summary>Its last final value as JSON (port 0).</summary>
    [Id(6)] public string? ValueJson { get; init; }

    /// <summary>Its last outputs as JSON by port (see <see cref="FlowNodeSpec.Outputs"/>).</summary>
    [Id(7)] public IReadOnlyList<string> OutputsJson { get; init; } = [];

    /// <summary>The state of a stateful node as JSON (as of <see cref="Completed"/>).</summary>
    [Id(8)] public string? StateJson { get; init; }

    /// <summary>Its error (failed nodes).</summary>
    [Id(9)] public string? Error { get; init; }

    /// <summary>Generations applied (each exactly once).</summary>
    [Id(10)] public long Applied { get; init; }

    /// <summary>Reports that were ignored: a generation already applied, or a run stopped meanwhile.</summary>
    [Id(11)] public long Discarded { get; init; }

    /// <summary>The most recent runs, oldest first (at most <see cref="MaxRuns"/>).</summary>
    [Id(12)] public IReadOnlyList<FlowNodeRun> Runs { get; init; } = [];

    /// <summary>How many runs <see cref="Runs"/> keeps.</summary>
    public const int MaxRuns = 64;
}

/// <summary>One generation of a node as it was run and applied.</summary>
/// <remarks>Immutable and never shared within a graph: a node's stored history of these is written at every step, so it skips copying and reference tracking.</remarks>
[GenerateSerializer]
[Immutable]
[SuppressReferenceTracking]
[Alias("flo.flow.node-run")]
public sealed record FlowNodeRun
{
    /// <summary>The generation.</summary>
    [Id(0)] public int Generation { get; init; }

    /// <summary>The action run that executed it (its attempts show any re-run).</summary>
    [Id(1)] public string? ActionRunId { get; init; }

    /// <summary>When the node started it (Unix ms).</summary>
    [Id(2)] public long StartedAtMs { get; init; }

    /// <summary>When it was applied, failed or stopped (Unix ms).</summary>
    [Id(3)] public long FinishedAtMs { get; init; }

    /// <summary>How it ended.</summary>
    [Id(4)] public FlowNodeStatus Outcome { get; init; }

    /// <summary>Parts it streamed.</summary>
    [Id(5)] public int Parts { get; init; }
}
