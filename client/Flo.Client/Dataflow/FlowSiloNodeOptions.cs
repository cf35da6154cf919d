namespace Flo.Dataflow;

/// <summary>
/// The node types a silo runs itself (<see cref="FlowSiloNodesServiceCollectionExtensions.AddFloFlowNodes(Microsoft.Extensions.DependencyInjection.IServiceCollection, NodeType[])"/>
/// adds to them). A node generation whose type is here runs in the silo that hosts its node grain; any other goes to
/// workers.
/// </summary>
public sealed class FlowSiloNodeOptions
{
    /// <summary>The node types by name; one name is one function (a second, different one is refused).</summary>
    public Dictionary<string, NodeType> NodeTypes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// An output port of a silo-run node whose JSON is larger (UTF-8 bytes) is stored in the namespace's KV store and
    /// passed by reference (<see cref="FlowValueRefs"/>); default 64 KiB, 0 or less: never (<c>Cluster:Dataflow:ValueByReferenceBytes</c>).
    /// </summary>
    public int ValueByReferenceBytes { get; set; } = FlowValueRefs.DefaultThresholdBytes;

    /// <summary>Adds <paramref name="type"/>; the same type again changes nothing, another type of that name is refused.</summary>
    public void Add(NodeType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (NodeTypes.TryGetValue(type.Name, out var known) && !ReferenceEquals(known, type))
        {
            throw new FlowArgumentException($"The silo already runs another node type called '{type.Name}'.");
        }
        NodeTypes[type.Name] = type;
    }
}
