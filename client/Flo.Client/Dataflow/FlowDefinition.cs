namespace Flo.Dataflow;

/// <summary>
/// A built flow: its graph (checked, cycles broken, ready to start any number of times) and the node types that run
/// it. Start it with <c>client.Flow.StartAsync</c> or <c>RunUntilCompleteAsync</c>.
/// </summary>
public sealed class FlowDefinition
{
    private readonly Dictionary<string, NodeType> typeOfNode;

    internal FlowDefinition(FlowGraph graph, IReadOnlyList<NodeType> nodeTypes, Dictionary<string, NodeType> typeOfNode)
    {
        Graph = graph;
        NodeTypes = nodeTypes;
        this.typeOfNode = typeOfNode;
    }

    /// <summary>The flow's name.</summary>
    public string Name => Graph.Name;

    /// <summary>The graph the grains run.</summary>
    public FlowGraph Graph { get; }

    /// <summary>The node types it uses (each once).</summary>
    public IReadOnlyList<NodeType> NodeTypes { get; }

    /// <summary>The nodes' names, in definition order.</summary>
    public IReadOnlyList<string> NodeNames => [.. Graph.Nodes.Select(n => n.Name)];

    /// <summary>The node type of node <paramref name="node"/>.</summary>
    public NodeType TypeOf(string node)
        => typeOfNode.TryGetValue(node, out var type) ? type : throw new FlowNodeNotFoundException($"Flow '{Name}' has no node '{node}'.");

    /// <summary>The node called <paramref name="node"/> as the grains run it.</summary>
    public FlowNodeSpec Spec(string node)
        => Graph.Nodes.FirstOrDefault(n => n.Name == node) ?? throw new FlowNodeNotFoundException($"Flow '{Name}' has no node '{node}'.");
}
