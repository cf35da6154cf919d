namespace Flo.Dataflow;

/// <summary>What happened in a flow run. Values are stored: frozen.</summary>
public enum FlowEventKind
{
    /// <summary>The run started.</summary>
    RunStarted = 0,
    /// <summary>A node's generation started.</summary>
    NodeStarted = 1,
    /// <summary>A node's generation completed (<see cref="FlowEvent.ValueJson"/>).</summary>
    NodeCompleted = 2,
    /// <summary>A node's generation failed (<see cref="FlowEvent.Error"/>).</summary>
    NodeFailed = 3,
    /// <summary>A node's running generation was stopped because the run stopped.</summary>
    NodeCancelled = 4,
    /// <summary>The run stopped (<see cref="FlowEvent.Status"/>); the last event of a run.</summary>
    RunFinished = 5,
}

/// <summary>An event of a flow run, numbered in the order the run's grain saw it.</summary>
[GenerateSerializer]
[Alias("flo.flow.event")]
public sealed record FlowEvent
{
    /// <summary>Its number in the run (from 1).</summary>
    [Id(0)] public long Seq { get; init; }

    /// <summary>What happened.</summary>
    [Id(1)] public FlowEventKind Kind { get; init; }

    /// <summary>When (Unix ms).</summary>
    [Id(2)] public long AtMs { get; init; }

    /// <summary>The node concerned (node events).</summary>
    [Id(3)] public string? Node { get; init; }

    /// <summary>The generation concerned (node events).</summary>
    [Id(4)] public int? Generation { get; init; }

    /// <summary>The value produced (<see cref="FlowEventKind.NodeCompleted"/>), as JSON.</summary>
    [Id(5)] public string? ValueJson { get; init; }

    /// <summary>The error (<see cref="FlowEventKind.NodeFailed"/>).</summary>
    [Id(6)] public string? Error { get; init; }

    /// <summary>The run's status after the event.</summary>
    [Id(7)] public FlowRunStatus Status { get; init; }
}

/// <summary>A page of a run's events (<see cref="IFlowRunGrain.ReadEvents"/>).</summary>
[GenerateSerializer]
[Alias("flo.flow.event-page")]
public sealed record FlowEventPage
{
    /// <summary>
    /// Identifies the activation that numbered the events: events live in memory, so when the run's grain moved
    /// (a silo was lost) numbering restarts and a reader starts again from 0 (events of the lost activation are not
    /// replayed: read the run for its state).
    /// </summary>
    [Id(0)] public string Epoch { get; init; } = "";

    /// <summary>The events after the asked number, oldest first.</summary>
    [Id(1)] public IReadOnlyList<FlowEvent> Events { get; init; } = [];

    /// <summary>Whether the run has finished (no event follows the last one given).</summary>
    [Id(2)] public bool Finished { get; init; }
}

/// <summary>Parts of a node's streamed generation, for a consumer reading them (<see cref="IFlowNodeGrain.ReadParts"/>).</summary>
[GenerateSerializer]
[Alias("flo.flow.parts-page")]
public sealed record FlowPartsPage
{
    /// <summary>The parts after the asked index, as JSON of the asked output port.</summary>
    [Id(0)] public IReadOnlyList<string> Parts { get; init; } = [];

    /// <summary>Whether the generation ended and every part was given.</summary>
    [Id(1)] public bool Ended { get; init; }

    /// <summary>Set when the generation will never end: the producer failed or was stopped.</summary>
    [Id(2)] public string? Error { get; init; }
}
