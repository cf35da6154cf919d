namespace Flo.Dataflow;

/// <summary>
/// The payload of a node generation's action run (JSON, web defaults): who runs, with which inputs and state. The
/// worker answers with a <see cref="NodeRunResult"/>.
/// </summary>
public sealed record NodeRunPayload
{
    /// <summary>The flow run's namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The flow run.</summary>
    public string RunId { get; init; } = "";

    /// <summary>The node.</summary>
    public string Node { get; init; } = "";

    /// <summary>The node's type.</summary>
    public string NodeType { get; init; } = "";

    /// <summary>The generation being run.</summary>
    public int Generation { get; init; }

    /// <summary>The inputs, in parameter order.</summary>
    public IReadOnlyList<NodeInputValue> Inputs { get; init; } = [];

    /// <summary>A stateful node's state as of the previous generation (null: a fresh state).</summary>
    public string? State { get; init; }

    /// <summary>The run's trace context (W3C <c>traceparent</c>): the parent of the worker's span (<see cref="FlowTracing"/>).</summary>
    public string? TraceParent { get; init; }

    /// <summary>The run's W3C <c>tracestate</c>, if any.</summary>
    public string? TraceState { get; init; }
}

/// <summary>
/// A node generation's result (JSON): its outputs by port, its new state, or the error its code threw. An error is a
/// result, not a failed action run, so the action's retries (for lost workers) never re-run a node that failed.
/// </summary>
public sealed record NodeRunResult
{
    /// <summary>The outputs by port (see <see cref="FlowNodeSpec.Outputs"/>), as JSON; null when the run failed.</summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>A stateful node's new state as JSON.</summary>
    public string? State { get; init; }

    /// <summary>The error (<c>Type: message</c>) when the node's code threw.</summary>
    public string? Error { get; init; }
}
