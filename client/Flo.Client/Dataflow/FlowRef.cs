namespace Flo.Dataflow;

/// <summary>
/// A forward reference to a node by name (the seed's <c>f.name</c> before it is assigned): <c>f["result"]</c> or
/// <c>f.Ref&lt;int&gt;("result")</c>. It may be used before the node is defined, and by the node itself (a self-loop);
/// it must be defined before the flow is built.
/// </summary>
public class FlowRef : NodeOutput
{
    internal FlowRef(string name, Type? declaredType)
    {
        Name = name;
        DeclaredType = declaredType;
    }

    /// <summary>The name referred to.</summary>
    public string Name { get; }

    /// <summary>The type the node must produce (<see cref="Ref{T}"/>), or null for any.</summary>
    public Type? DeclaredType { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A forward reference that promises a value of type <typeparamref name="T"/>: checked when the flow is built.</summary>
public sealed class Ref<T> : FlowRef
{
    internal Ref(string name) : base(name, typeof(T))
    {
    }
}
