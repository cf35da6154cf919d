namespace Flo.Dataflow;

/// <summary>Bad input to a flow operation (a name, an id, a limit): rejected before anything was stored. HTTP 400.</summary>
[GenerateSerializer]
[Alias("flo.flow.error.argument")]
public sealed class FlowArgumentException : InvalidArgumentException
{
    /// <summary>Creates the exception.</summary>
    public FlowArgumentException(string message) : base(message) { }
}

/// <summary>
/// A flow cannot be built: a reference never defined, an input with neither a connection nor a default, a type
/// mismatch, a cycle with no default. Thrown by <c>FlowBuilder.Build</c> (and by the server for a graph it is given),
/// before anything runs. Catch this type for all of them.
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.error.definition")]
public class FlowDefinitionException : InvalidArgumentException
{
    /// <summary>Creates the exception.</summary>
    public FlowDefinitionException(string message) : base(message) { }
}

/// <summary>
/// An output is connected to an input of another type (or a constant of the wrong type is given): names the
/// consuming node and parameter, the producing node and output, and both types.
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.error.type-mismatch")]
public sealed class FlowTypeMismatchException : FlowDefinitionException
{
    /// <summary>Creates the exception.</summary>
    public FlowTypeMismatchException(string message, string node, string parameter, string expectedType, string? sourceNode, string? sourceOutput, string actualType)
        : base(message)
    {
        Node = node;
        Parameter = parameter;
        ExpectedType = expectedType;
        SourceNode = sourceNode;
        SourceOutput = sourceOutput;
        ActualType = actualType;
    }

    /// <summary>The consuming node.</summary>
    [Id(0)] public string Node { get; }

    /// <summary>Its parameter (input port).</summary>
    [Id(1)] public string Parameter { get; }

    /// <summary>The type the parameter takes.</summary>
    [Id(2)] public string ExpectedType { get; }

    /// <summary>The producing node; null for a constant.</summary>
    [Id(3)] public string? SourceNode { get; }

    /// <summary>The producing node's output (<c>value</c>, or an element's name); null for a constant.</summary>
    [Id(4)] public string? SourceOutput { get; }

    /// <summary>The type offered.</summary>
    [Id(5)] public string ActualType { get; }
}

/// <summary>
/// A cycle none of whose nodes can start it: to break a cycle, at least one of its nodes must have defaults for every
/// parameter fed from inside the cycle (the seed's <c>MissingDefaultError</c>). Names the cycle and, per node, the
/// parameters that would need defaults.
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.error.cycle-without-default")]
public sealed class FlowCycleWithoutDefaultException : FlowDefinitionException
{
    /// <summary>Creates the exception.</summary>
    public FlowCycleWithoutDefaultException(string message, IReadOnlyList<string> cycle, IReadOnlyList<FlowCycleCandidate> candidates)
        : base(message)
    {
        Cycle = cycle;
        Candidates = candidates;
    }

    /// <summary>The cycle as data flows, first node repeated at the end: <c>["a", "b", "a"]</c>.</summary>
    [Id(0)] public IReadOnlyList<string> Cycle { get; }

    /// <summary>Every node of the cycle's strongly connected part, with the parameters it would need defaults for.</summary>
    [Id(1)] public IReadOnlyList<FlowCycleCandidate> Candidates { get; }
}

/// <summary>One node of a cycle without defaults and what would let it start the cycle.</summary>
[GenerateSerializer]
[Alias("flo.flow.cycle-candidate")]
public sealed record FlowCycleCandidate
{
    /// <summary>The node.</summary>
    [Id(0)] public string Node { get; init; } = "";

    /// <summary>Its node type.</summary>
    [Id(1)] public string NodeType { get; init; } = "";

    /// <summary>The parameters fed from inside the cycle: each needs a default for this node to start it.</summary>
    [Id(2)] public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>The node type's signature, for the message.</summary>
    [Id(3)] public string Signature { get; init; } = "";
}

/// <summary>A parameter with neither an input nor a default value.</summary>
[GenerateSerializer]
[Alias("flo.flow.error.missing-input")]
public sealed class FlowMissingInputException : FlowDefinitionException
{
    /// <summary>Creates the exception.</summary>
    public FlowMissingInputException(string message, string node, string parameter) : base(message)
    {
        Node = node;
        Parameter = parameter;
    }

    /// <summary>The node.</summary>
    [Id(0)] public string Node { get; }

    /// <summary>The parameter without input or default.</summary>
    [Id(1)] public string Parameter { get; }
}

/// <summary>A forward reference (<c>f["b"]</c>, <c>f.Ref&lt;T&gt;("b")</c>) to a node that was never defined.</summary>
[GenerateSerializer]
[Alias("flo.flow.error.undefined-reference")]
public sealed class FlowUndefinedReferenceException : FlowDefinitionException
{
    /// <summary>Creates the exception.</summary>
    public FlowUndefinedReferenceException(string message, string name, string usedBy) : base(message)
    {
        Name = name;
        UsedBy = usedBy;
    }

    /// <summary>The name referenced.</summary>
    [Id(0)] public string Name { get; }

    /// <summary>A node that uses it.</summary>
    [Id(1)] public string UsedBy { get; }
}

/// <summary>No such flow run in the namespace. HTTP 404 <c>FlowRunNotFound</c>.</summary>
[GenerateSerializer]
[Alias("flo.flow.error.run-not-found")]
public sealed class FlowRunNotFoundException : FloException
{
    /// <summary>Creates the exception.</summary>
    public FlowRunNotFoundException(string message) : base(message) { }
}

/// <summary>No such node in the flow run. HTTP 404 <c>FlowNodeNotFound</c>.</summary>
[GenerateSerializer]
[Alias("flo.flow.error.node-not-found")]
public sealed class FlowNodeNotFoundException : FloException
{
    /// <summary>Creates the exception.</summary>
    public FlowNodeNotFoundException(string message) : base(message) { }
}

/// <summary>A wait for a flow run ended before the run finished. HTTP 408 <c>Timeout</c>.</summary>
[GenerateSerializer]
[Alias("flo.flow.error.wait-timeout")]
public sealed class FlowRunWaitTimeoutException : FloException
{
    /// <summary>Creates the exception.</summary>
    public FlowRunWaitTimeoutException(string message, FlowRunStatus status) : base(message) => Status = status;

    /// <summary>The run's status when the wait ended.</summary>
    [Id(0)] public FlowRunStatus Status { get; }
}

/// <summary>
/// Thrown inside a node's code while it reads a streamed input whose producer failed or was stopped: the node fails
/// (or is cancelled) with it.
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.error.upstream")]
public sealed class FlowUpstreamException : FloException
{
    /// <summary>Creates the exception.</summary>
    public FlowUpstreamException(string message, string node) : base(message) => Node = node;

    /// <summary>The producing node.</summary>
    [Id(0)] public string Node { get; }
}

/// <summary>
/// A value passed by reference (<see cref="FlowValueRefs"/>) is no longer in the namespace's KV store (the run was
/// deleted, or the key removed by hand): the node reading it fails with this.
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.error.value-missing")]
public sealed class FlowValueMissingException : FloException
{
    /// <summary>Creates the exception.</summary>
    public FlowValueMissingException(string message, string key) : base(message) => Key = key;

    /// <summary>The KV key the reference named.</summary>
    [Id(0)] public string Key { get; }
}

/// <summary>The flow run has not finished, so it cannot be deleted (cancel it first). HTTP 409 <c>FlowRunNotFinished</c> with <c>run_status</c>.</summary>
[GenerateSerializer]
[Alias("flo.flow.error.run-not-finished")]
public sealed class FlowRunNotFinishedException : FloException
{
    /// <summary>Creates the exception.</summary>
    public FlowRunNotFinishedException(string message, FlowRunStatus status) : base(message) => Status = status;

    /// <summary>The run's status.</summary>
    [Id(0)] public FlowRunStatus Status { get; }
}
