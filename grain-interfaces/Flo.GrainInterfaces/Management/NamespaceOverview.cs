using Flo.Actions;
using Flo.Schedules;

namespace Flo.Management;

/// <summary>What a namespace holds and does: runs per status, recent throughput, workers and how many of each thing.</summary>
public sealed record NamespaceOverview
{
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>Run counts per status over every action of the namespace.</summary>
    public required ActionStats Runs { get; init; }

    /// <summary>Run events per minute, oldest first, the current (partial) minute last.</summary>
    public required IReadOnlyList<RunThroughput> Throughput { get; init; }

    /// <summary>The namespace's workers.</summary>
    public required WorkerCounts Workers { get; init; }

    /// <summary>Registered actions.</summary>
    public int Actions { get; init; }

    /// <summary>Schedule counts.</summary>
    public required ScheduleStats Schedules { get; init; }

    /// <summary>Queues that have been written to.</summary>
    public int Queues { get; init; }

    /// <summary>Streams that have been written to.</summary>
    public int Streams { get; init; }
}

/// <summary>A namespace's workers, from their heartbeats.</summary>
/// <param name="Alive">Workers heartbeating now.</param>
/// <param name="Total">Workers alive or recently seen.</param>
/// <param name="Running">Runs the alive workers hold.</param>
/// <param name="Concurrency">Runs the alive workers may hold at once (I/O lanes).</param>
public sealed record WorkerCounts(int Alive, int Total, int Running, int Concurrency);
