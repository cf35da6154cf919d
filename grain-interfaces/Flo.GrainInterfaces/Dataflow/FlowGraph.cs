namespace Flo.Dataflow;

/// <summary>
/// A built flow as the grains run it: its nodes in definition order, each with its inputs. Types are checked and
/// cycles broken when the flow is built (client side); what travels here is names, JSON constants and wiring, so a
/// flow needs no .NET type to be started, inspected or run by workers of another process.
/// </summary>
[GenerateSerializer]
[Alias("flo.flow.graph")]
public sealed record FlowGraph
{
    /// <summary>The flow's name (display only).</summary>
    [Id(0)] public string Name { get; init; } = "flow";

    /// <summary>The nodes, in definition order (ties in cycle breaking go to the earlier node).</summary>
    [Id(1)] public IReadOnlyList<FlowNodeSpec> Nodes { get; init; } = [];
}

/// <summary>One node of a flow: an instance of a node type with its inputs.</summary>
[GenerateSerializer]
[Alias("flo.flow.node-spec")]
public sealed record FlowNodeSpec
{
    /// <summary>The node's name in the flow (the seed's <c>f.name</c>; <c>Type#n</c> for unnamed nodes).</summary>
    [Id(0)] public string Name { get; init; } = "";

    /// <summary>Its node type: runs as action <c>flow:{NodeType}</c> on a worker hosting the type.</summary>
    [Id(1)] public string NodeType { get; init; } = "";

    /// <summary>Whether it streams its output (an async iterator): parts with sub-generations, then a final value.</summary>
    [Id(2)] public bool Streaming { get; init; }

    /// <summary>
    /// Whether it runs generation after generation: its part of the graph (its weakly connected component) contains
    /// a cycle. Other nodes run once. Set by <see cref="FlowGraphAnalysis"/>.
    /// </summary>
    [Id(3)] public bool Recurrent { get; init; }

    /// <summary>Its inputs, one per parameter of the node type, in parameter order.</summary>
    [Id(4)] public IReadOnlyList<FlowInputSpec> Inputs { get; init; } = [];

    /// <summary>
    /// Its outputs: <c>value</c> (the whole value, port 0), then the elements of a tuple or record value by name
    /// (ports 1..n), which consumers may take one by one.
    /// </summary>
    [Id(5)] public IReadOnlyList<string> Outputs { get; init; } = ["value"];

    /// <summary>The node type's signature, for messages (<c>Increment(int value = 0)</c>).</summary>
    [Id(6)] public string Signature { get; init; } = "";
}

/// <summary>Where an input's value comes from. Values are stored: frozen.</summary>
public enum FlowInputKind
{
    /// <summary>A constant (<see cref="FlowInputSpec.Json"/>).</summary>
    Constant = 0,
    /// <summary>The parameter's default (not connected).</summary>
    Default = 1,
    /// <summary>Another node's output (<see cref="FlowInputSpec.From"/>, <see cref="FlowInputSpec.FromPort"/>).</summary>
    Node = 2,
}

/// <summary>One input (parameter) of a node.</summary>
[GenerateSerializer]
[Alias("flo.flow.input-spec")]
public sealed record FlowInputSpec
{
    /// <summary>The parameter's name.</summary>
    [Id(0)] public string Parameter { get; init; } = "";

    /// <summary>Where its value comes from.</summary>
    [Id(1)] public FlowInputKind Kind { get; init; }

    /// <summary>The constant, as JSON (<see cref="FlowInputKind.Constant"/>).</summary>
    [Id(2)] public string? Json { get; init; }

    /// <summary>The producing node (<see cref="FlowInputKind.Node"/>).</summary>
    [Id(3)] public string? From { get; init; }

    /// <summary>The producing node's output port (0: the whole value; see <see cref="FlowNodeSpec.Outputs"/>).</summary>
    [Id(4)] public int FromPort { get; init; }

    /// <summary>Whether the parameter takes a stream (<c>IAsyncEnumerable&lt;T&gt;</c>): it reads the producer's parts as they come.</summary>
    [Id(5)] public bool Stream { get; init; }

    /// <summary>Whether the parameter has a default value (which can start a cycle).</summary>
    [Id(6)] public bool HasDefault { get; init; }

    /// <summary>
    /// Whether this connection closes a cycle: in generation <c>g</c> the node takes the producer's generation
    /// <c>g - 1</c>, and its default in generation 0. Set by <see cref="FlowGraphAnalysis"/>.
    /// </summary>
    [Id(7)] public bool Delay { get; init; }

    /// <summary>The parameter's type, for messages.</summary>
    [Id(8)] public string TypeName { get; init; } = "";
}
