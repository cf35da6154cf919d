using System.Text.Json;

namespace Flo.Dataflow.Internal;

/// <summary>
/// Turns a builder's nodes into a <see cref="FlowGraph"/>: finds unnamed nodes, resolves references and outputs,
/// checks types (here, where the .NET types are known) and serializes constants, then lets
/// <see cref="FlowGraphAnalysis"/> check the wiring and break the cycles.
/// </summary>
internal sealed class FlowGraphBuilder(string name, IReadOnlyDictionary<string, Node> defined, IReadOnlyList<Node> order, IReadOnlyList<FlowRef> typedReferences)
{
    public FlowDefinition Build()
    {
        var nodes = Discover();
        var types = new Dictionary<string, NodeType>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (types.TryGetValue(node.Type.Name, out var other) && !ReferenceEquals(other, node.Type))
            {
                throw new FlowDefinitionException($"Two different node types are called '{node.Type.Name}' ({other.Signature} and {node.Type.Signature}); node type names must be unique.");
            }
            types[node.Type.Name] = node.Type;
        }
        foreach (var reference in typedReferences)
        {
            if (defined.TryGetValue(reference.Name, out var node) && !Accepts(reference.DeclaredType!, node.Type.ValueType))
            {
                throw new FlowTypeMismatchException(
                    $"Type mismatch: '{reference.Name}' was referred to as {TypeNames.Of(reference.DeclaredType!)}, but node '{reference.Name}' ({node.Type.Name}) gives {TypeNames.Of(node.Type.ValueType)}.",
                    reference.Name, "(reference)", TypeNames.Of(reference.DeclaredType!), reference.Name, "value", TypeNames.Of(node.Type.ValueType));
            }
        }
        var specs = nodes.Select(node => new FlowNodeSpec
        {
            Name = node.Name!,
            NodeType = node.Type.Name,
            Streaming = node.Type.Streaming,
            Inputs = [.. node.Type.Parameters.Select((_, k) => Input(node, k))],
            Outputs = node.Type.Outputs,
            Signature = node.Type.Signature,
        }).ToList();
        var graph = FlowGraphAnalysis.Analyze(new FlowGraph { Name = name, Nodes = specs });
        return new FlowDefinition(graph, [.. types.Values], nodes.ToDictionary(n => n.Name!, n => n.Type, StringComparer.Ordinal));
    }

    /// <summary>The defined nodes in definition order, then unnamed nodes in the order they are first used, named <c>Type#n</c>.</summary>
    private List<Node> Discover()
    {
        var nodes = new List<Node>(order);
        var seen = new HashSet<Node>(order, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var argument in nodes[i].Arguments)
            {
                if (argument is NodeOutput { Source: Node used } && seen.Add(used))
                {
                    nodes.Add(used);
                }
            }
        }
        if (nodes.Count == 0)
        {
            throw new FlowDefinitionException("The flow has no nodes: assign at least one (f[\"name\"] = node).");
        }
        if (nodes.Count > FlowLimits.MaxNodes)
        {
            throw new FlowDefinitionException($"A flow has at most {FlowLimits.MaxNodes} nodes; this one has {nodes.Count}.");
        }
        var names = new HashSet<string>(defined.Keys, StringComparer.Ordinal);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => n.Name is null || !defined.ContainsKey(n.Name)))
        {
            if (node.Name is not null && names.Add(node.Name))
            {
                // Named by an earlier build of this flow: keep the name.
                continue;
            }
            string candidate;
            do
            {
                var n = counters.GetValueOrDefault(node.Type.Name);
                counters[node.Type.Name] = n + 1;
                candidate = $"{node.Type.Name}#{n}";
            }
            while (!names.Add(candidate));
            node.Name = candidate;
        }
        return nodes;
    }

    private FlowInputSpec Input(Node node, int k)
    {
        var parameter = node.Type.Parameters[k];
        var argument = k < node.Arguments.Count ? node.Arguments[k] : Flow.Default;
        var spec = new FlowInputSpec { Parameter = parameter.Name, Stream = parameter.IsStream, HasDefault = parameter.HasDefault, TypeName = TypeNames.Of(parameter.Type) };
        switch (argument)
        {
            case var _ when ReferenceEquals(argument, Flow.Default):
                if (!parameter.HasDefault)
                {
                    throw new FlowMissingInputException($"Node '{node.Name}' ({node.Type.Signature}): parameter '{parameter.Name}' has no input and no default value.", node.Name!, parameter.Name);
                }
                return spec with { Kind = FlowInputKind.Default };
            case NodeFactory or NodeType:
                throw new FlowDefinitionException($"Node '{node.Name}' parameter '{parameter.Name}' was given a node type; call it to make a node (e.g. type(inputs...)).");
            case NodeOutput output:
                var producer = Resolve(output.Source, node, parameter);
                var port = NodeOutput.Port(producer.Type, output.Index, output.Member, out var error);
                if (port < 0)
                {
                    throw new FlowDefinitionException($"Node '{node.Name}' parameter '{parameter.Name}': {error}");
                }
                var offered = producer.Type.PortType(port);
                if (!Accepts(parameter.ValueType, offered))
                {
                    var portName = producer.Type.Outputs[port];
                    throw new FlowTypeMismatchException(
                        $"Type mismatch: node '{node.Name}' ({node.Type.Name}) parameter '{parameter.Name}' takes {Describe(parameter)}, but node '{producer.Name}' ({producer.Type.Name}) output '{portName}' gives {TypeNames.Of(offered)}.",
                        node.Name!, parameter.Name, TypeNames.Of(parameter.Type), producer.Name, portName, TypeNames.Of(offered));
                }
                return spec with { Kind = FlowInputKind.Node, From = producer.Name, FromPort = port };
            default:
                if (parameter.IsStream)
                {
                    throw new FlowDefinitionException($"Node '{node.Name}' parameter '{parameter.Name}' takes a stream ({TypeNames.Of(parameter.Type)}): connect it to a node, not a constant.");
                }
                if (argument is null ? !AcceptsNull(parameter.Type) : !Accepts(parameter.Type, argument.GetType()))
                {
                    var actual = argument is null ? "null" : TypeNames.Of(argument.GetType());
                    throw new FlowTypeMismatchException(
                        $"Type mismatch: node '{node.Name}' ({node.Type.Name}) parameter '{parameter.Name}' takes {TypeNames.Of(parameter.Type)}, but was given the constant {TypeNames.Literal(argument)} ({actual}).",
                        node.Name!, parameter.Name, TypeNames.Of(parameter.Type), null, null, actual);
                }
                return spec with { Kind = FlowInputKind.Constant, Json = JsonSerializer.Serialize(argument, parameter.Type, FlowJson.Options) };
        }
    }

    private Node Resolve(NodeOutput source, Node usedBy, NodeParameter parameter) => source switch
    {
        Node node => node,
        FlowRef reference when defined.TryGetValue(reference.Name, out var node) => node,
        FlowRef reference => throw new FlowUndefinedReferenceException(
            $"'{reference.Name}' is used by node '{usedBy.Name}' (parameter '{parameter.Name}') but never defined: assign it (f[\"{reference.Name}\"] = ...).",
            reference.Name, usedBy.Name!),
        _ => throw new FlowDefinitionException($"Node '{usedBy.Name}' parameter '{parameter.Name}' is connected to something that is not a node."),
    };

    private static string Describe(NodeParameter parameter)
        => parameter.IsStream ? $"a stream of {TypeNames.Of(parameter.ValueType)}" : TypeNames.Of(parameter.Type);

    /// <summary>Whether a <paramref name="target"/> input takes a value of type <paramref name="offered"/> (a T also fits a T?).</summary>
    internal static bool Accepts(Type target, Type offered)
        => target.IsAssignableFrom(offered) || Nullable.GetUnderlyingType(target) == offered;

    private static bool AcceptsNull(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
}
