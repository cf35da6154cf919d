namespace Flo.Dataflow;

/// <summary>A flow run as a namespace's listing shows it (<see cref="IFlowRunIndexGrain"/>).</summary>
[GenerateSerializer]
[Immutable]
[Alias("flo.flow.run-summary")]
public sealed record FlowRunSummary
{
    /// <summary>The run.</summary>
    [Id(0)] public string RunId { get; init; } = "";

    /// <summary>The flow's name.</summary>
    [Id(1)] public string Flow { get; init; } = "";

    /// <summary>Its status as last reported to the index (it follows the run's own shortly after it changes).</summary>
    [Id(2)] public FlowRunStatus Status { get; init; }

    /// <summary>Why it ended (finished runs).</summary>
    [Id(3)] public string? Reason { get; init; }

    /// <summary>When it started (Unix ms).</summary>
    [Id(4)] public long StartedAtMs { get; init; }

    /// <summary>When it finished (Unix ms; 0: not yet).</summary>
    [Id(5)] public long FinishedAtMs { get; init; }
}

/// <summary>One page of a namespace's flow runs, newest first; <see cref="NextCursor"/> asks for the next (null: no more).</summary>
public sealed record FlowRunPage(IReadOnlyList<FlowRunSummary> Runs, string? NextCursor);
