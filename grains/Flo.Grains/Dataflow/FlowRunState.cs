using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>
/// A flow run's stored state: what it was started with and how it ended. Node generations are not here: each node's
/// grain stores its own, and the run rebuilds its view from them when it activates.
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.run-state")]
public sealed class FlowRunState
{
    [Id(0)] public FlowRunStart Start { get; set; } = new();

    [Id(1)] public FlowRunStatus Status { get; set; }

    [Id(2)] public string? Reason { get; set; }

    [Id(3)] public string? LimitNode { get; set; }

    [Id(4)] public long StartedAtMs { get; set; }

    [Id(5)] public long FinishedAtMs { get; set; }

    /// <summary>The trace context of the run's start span (W3C <c>traceparent</c>): every node span's parent.</summary>
    [Id(6)] public string? TraceParent { get; set; }

    [Id(7)] public string? TraceState { get; set; }
}
