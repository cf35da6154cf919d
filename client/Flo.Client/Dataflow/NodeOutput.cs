namespace Flo.Dataflow;

/// <summary>
/// Something a node's input can be connected to: a node (its whole value), one of its outputs
/// (<see cref="Output(int)"/>, <see cref="Output(string)"/>), or a forward reference (<c>f["name"]</c>). Whether the
/// types fit is checked when the flow is built.
/// </summary>
public class NodeOutput
{
    private protected NodeOutput()
    {
        Source = this;
    }

    private NodeOutput(NodeOutput source, int? index, string? member)
    {
        Source = source;
        Index = index;
        Member = member;
    }

    /// <summary>The node or forward reference this output belongs to.</summary>
    internal NodeOutput Source { get; }

    /// <summary>The element taken by index (0 for a tuple's first), or null.</summary>
    internal int? Index { get; }

    /// <summary>The element taken by name, or null.</summary>
    internal string? Member { get; }

    /// <summary>
    /// Element <paramref name="index"/> of a tuple or record value (0 for the first; the seed's output port index of a
    /// node with <c>multiple_outputs</c>).
    /// </summary>
    public NodeOutput Output(int index)
    {
        RequireWhole();
        if (index < 0)
        {
            throw new FlowDefinitionException($"Output index must not be negative; got {index}.");
        }
        CheckNow(index, null);
        return new NodeOutput(Source, index, null);
    }

    /// <summary>The element called <paramref name="name"/> of a tuple (its element name, or <c>Item1</c>..) or record value.</summary>
    public NodeOutput Output(string name)
    {
        RequireWhole();
        ArgumentException.ThrowIfNullOrEmpty(name);
        CheckNow(null, name);
        return new NodeOutput(Source, null, name);
    }

    /// <summary>The first two elements: <c>var (sum, diff) = sumAndDiff(3, 1);</c>.</summary>
    public void Deconstruct(out NodeOutput first, out NodeOutput second)
    {
        CheckCount(2);
        (first, second) = (Output(0), Output(1));
    }

    /// <summary>The first three elements.</summary>
    public void Deconstruct(out NodeOutput first, out NodeOutput second, out NodeOutput third)
    {
        CheckCount(3);
        (first, second, third) = (Output(0), Output(1), Output(2));
    }

    /// <summary>The first four elements.</summary>
    public void Deconstruct(out NodeOutput first, out NodeOutput second, out NodeOutput third, out NodeOutput fourth)
    {
        CheckCount(4);
        (first, second, third, fourth) = (Output(0), Output(1), Output(2), Output(3));
    }

    /// <summary>Describes the output for messages.</summary>
    public override string ToString() => Index is { } i ? $"{Source}.Output({i})" : Member is { } m ? $"{Source}.Output(\"{m}\")" : Source.ToString()!;

    private void RequireWhole()
    {
        if (!ReferenceEquals(Source, this))
        {
            throw new FlowDefinitionException($"{this} is already one output; take outputs of the node itself.");
        }
    }

    /// <summary>A node's outputs are known now: a wrong index or name fails at once (a reference's, when the flow is built).</summary>
    private void CheckNow(int? index, string? name)
    {
        if (Source is Node node && Port(node.Type, index, name, out var error) < 0)
        {
            throw new FlowDefinitionException(error!);
        }
    }

    private void CheckCount(int count)
    {
        if (Source is Node node && node.Type.Shape.Names.Count != count)
        {
            throw new FlowDefinitionException($"Node type '{node.Type.Name}' has {node.Type.Shape.Names.Count} element outputs; {count} were asked for.");
        }
    }

    /// <summary>The port of an element of <paramref name="type"/>'s value; -1 with an error when there is none.</summary>
    internal static int Port(NodeType type, int? index, string? name, out string? error)
    {
        error = null;
        var names = type.Shape.Names;
        if (index is { } i)
        {
            if (i < names.Count)
            {
                return i + 1;
            }
            error = names.Count == 0
                ? $"Node type '{type.Name}' has one output ({TypeNames.Of(type.ValueType)}), not a tuple or record: it has no output {i}."
                : $"Node type '{type.Name}' has {names.Count} outputs ({string.Join(", ", names)}); there is no output {i}.";
            return -1;
        }
        if (name is not null)
        {
            for (var k = 0; k < names.Count; k++)
            {
                if (names[k] == name || $"Item{k + 1}" == name)
                {
                    return k + 1;
                }
            }
            error = $"Node type '{type.Name}' has no output '{name}'; its outputs are: {string.Join(", ", type.Shape.Ports)}.";
            return -1;
        }
        return 0;
    }
}
