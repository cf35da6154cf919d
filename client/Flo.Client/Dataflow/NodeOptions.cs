namespace Flo.Dataflow;

/// <summary>How a node type runs. Immutable; use <c>with</c>.</summary>
public sealed record NodeOptions
{
    /// <summary>Defaults: 10 min timeout, 3 re-runs after a lost worker or a timeout, I/O lane, a tuple's elements as outputs.</summary>
    public static NodeOptions Default { get; } = new();

    /// <summary>Longest one generation may run before its worker's attempt times out (default 10 min).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How many times a generation is run again after its worker was lost or it timed out (default 3). An exception
    /// thrown by the node's code is never retried: the node fails (as in the seed).
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Run on the worker's CPU lane (thread pool, core-sized limit) rather than its I/O lane.</summary>
    public bool CpuBound { get; init; }

    /// <summary>
    /// Offer the public properties of a class or struct value as separate outputs (records and tuples always do), as
    /// the seed's <c>@node(multiple_outputs=True)</c>.
    /// </summary>
    public bool MultipleOutputs { get; init; }

    /// <summary>How long the node's finished action runs are kept (default 1 h).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(1);
}
