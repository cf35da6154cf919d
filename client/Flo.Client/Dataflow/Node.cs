namespace Flo.Dataflow;

/// <summary>
/// A node of a flow being built (the seed's draft node): a node type with its inputs. It runs only once the flow is
/// built and started; its name is the one it is given in the <see cref="FlowBuilder"/> (<c>f["name"] = node</c>), or
/// <c>Type#n</c>.
/// </summary>
public sealed class Node : NodeOutput
{
    internal Node(NodeType type, object?[] arguments)
    {
        Type = type;
        Arguments = arguments;
        if (arguments.Length > type.Parameters.Count)
        {
            throw new FlowDefinitionException($"Node type {type.Signature} takes {type.Parameters.Count} inputs; it was given {arguments.Length}.");
        }
    }

    /// <summary>Its node type.</summary>
    public NodeType Type { get; }

    /// <summary>Its inputs as given (constants, outputs, references, <see cref="Flow.Default"/>).</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>Its name in the flow (set when defined in a builder, or when the flow is built).</summary>
    public string? Name { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => Name ?? $"{Type.Name}(...)";
}
