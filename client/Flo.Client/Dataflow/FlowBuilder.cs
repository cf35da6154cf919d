using Flo.Dataflow.Internal;

namespace Flo.Dataflow;

/// <summary>
/// Builds a flow (the seed's <c>with FlowHDL() as f:</c>). Nodes are named by assigning them; any name may be used
/// before it is assigned, so cycles and self-loops read as they are meant:
/// <code>
/// var f = new FlowBuilder();
/// f["a"] = increment(f["b"]);   // forward reference
/// f["b"] = @double(f["a"]);     // a cycle, started by increment's default
/// var flow = f.Build();
/// </code>
/// Unnamed nodes used as inputs (<c>sum(addPiecewise(f["a"], f["b"]))</c>) join the flow as <c>Type#n</c>.
/// <see cref="Build"/> checks everything and throws a <see cref="FlowDefinitionException"/> naming what is wrong.
/// </summary>
public sealed class FlowBuilder
{
    private readonly Dictionary<string, Node> defined = new(StringComparer.Ordinal);
    private readonly List<Node> order = [];
    private readonly Dictionary<string, FlowRef> references = new(StringComparer.Ordinal);
    private readonly List<FlowRef> typedReferences = [];

    /// <summary>A builder for a flow called <paramref name="name"/>.</summary>
    public FlowBuilder(string name = "flow")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The flow's name.</summary>
    public string Name { get; }

    /// <summary>
    /// The node called <paramref name="name"/>: the node itself once defined, else a forward reference to it. Setting
    /// it defines the node (a name is defined once).
    /// </summary>
    public NodeOutput this[string name]
    {
        get => defined.TryGetValue(name, out var node) ? node : Reference(name);
        set => Set(name, value as Node ?? throw new FlowDefinitionException($"'{name}' must be assigned a node (a node type called with its inputs), not {value}."));
    }

    /// <summary>A forward reference to <paramref name="name"/> that must produce a <typeparamref name="T"/> (checked at build).</summary>
    public Ref<T> Ref<T>(string name)
    {
        FlowLimits.ValidateNodeName(name);
        var reference = new Ref<T>(name);
        typedReferences.Add(reference);
        return reference;
    }

    /// <summary>Defines node <paramref name="name"/>; returns the node.</summary>
    public Node Set(string name, Node node)
    {
        FlowLimits.ValidateNodeName(name);
        ArgumentNullException.ThrowIfNull(node);
        if (defined.ContainsKey(name))
        {
            throw new FlowDefinitionException($"Node '{name}' is defined twice.");
        }
        if (node.Name is { } existing && existing != name)
        {
            throw new FlowDefinitionException($"This node is already called '{existing}'; refer to it as f[\"{existing}\"] rather than naming it '{name}' too.");
        }
        node.Name = name;
        defined[name] = node;
        order.Add(node);
        return node;
    }

    /// <summary>Defines the node <paramref name="reference"/> refers to; returns the node.</summary>
    public Node Set(FlowRef reference, Node node)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Set(reference.Name, node);
    }

    /// <summary>
    /// Checks the flow and builds it: every reference defined, every input connected or defaulted, types matching,
    /// every cycle startable by a default. Throws <see cref="FlowUndefinedReferenceException"/>,
    /// <see cref="FlowMissingInputException"/>, <see cref="FlowTypeMismatchException"/>,
    /// <see cref="FlowCycleWithoutDefaultException"/> or <see cref="FlowDefinitionException"/>.
    /// </summary>
    public FlowDefinition Build() => new FlowGraphBuilder(Name, defined, order, typedReferences).Build();

    private FlowRef Reference(string name)
    {
        FlowLimits.ValidateNodeName(name);
        if (!references.TryGetValue(name, out var reference))
        {
            reference = new FlowRef(name, null);
            references[name] = reference;
        }
        return reference;
    }
}
