namespace Flo.Dataflow;

/// <summary>How a flow run is started (seed: <c>run_until_complete(stop_at_node_generation, terminate_on_node_error)</c>).</summary>
public sealed record FlowRunOptions
{
    /// <summary>
    /// A generation limit for every node (seed: <c>stop_at_node_generation=(3,)</c>): the run stops with
    /// <see cref="FlowRunStatus.LimitReached"/> as soon as any node completes that generation. Null: none (a flow with
    /// cycles then runs until cancelled or a node fails).
    /// </summary>
    public FlowGeneration? StopAt { get; init; }

    /// <summary>Limits for some nodes, by name (seed: <c>{f.reverse: (1,)}</c>); they override <see cref="StopAt"/>.</summary>
    public IReadOnlyDictionary<string, FlowGeneration>? StopAtNode { get; init; }

    /// <summary>
    /// Whether a node's error stops the run (default true, as the seed's <c>FlowHDL.run_until_complete</c>); false marks
    /// the node failed and lets the rest run as far as it can.
    /// </summary>
    public bool TerminateOnNodeError { get; init; } = true;

    /// <summary>The run's id (1-64 of <c>[A-Za-z0-9._-]</c>); null for a new one. Starting an existing id returns that run.</summary>
    public string? RunId { get; init; }

    /// <summary>Namespace of the run; null for the client's default.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// Whether this process runs the flow's node types for the run (a <see cref="FlowWorker"/> that stops with the
    /// <see cref="FlowRun"/>). Default true; false when other workers host them.
    /// </summary>
    public bool HostNodes { get; init; } = true;

    /// <summary>Options of that worker.</summary>
    public FlowWorkerOptions? Worker { get; init; }
}

/// <summary>Options of calls on an existing run.</summary>
/// <param name="Namespace">Namespace of the run; null for the client's default.</param>
public sealed record FlowCallOptions(string? Namespace = null);
