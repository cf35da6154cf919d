namespace Flo.Invocation;

/// <summary>What the generated code knows about one grain interface: its stable id, proxy factory and invokers.</summary>
public sealed class GrainInterfaceInfo
{
    /// <summary>Created by generated code.</summary>
    public GrainInterfaceInfo(Type interfaceType, string alias, Func<IGrainCallInvoker, string, GrainReference> createProxy, Func<uint, IInvokable?> createInvokable)
    {
        InterfaceType = interfaceType;
        Alias = alias;
        Id = StableHash.Of(alias);
        CreateProxy = createProxy;
        CreateInvokable = createInvokable;
    }

    /// <summary>The C# interface.</summary>
    public Type InterfaceType { get; }

    /// <summary>Stable wire name ([Alias] or the full type name).</summary>
    public string Alias { get; }

    /// <summary>Stable id: FNV-1a of <see cref="Alias"/>.</summary>
    public uint Id { get; }

    /// <summary>Creates a proxy for a key.</summary>
    public Func<IGrainCallInvoker, string, GrainReference> CreateProxy { get; }

    /// <summary>Creates an empty invokable for a method id, or null when the id is unknown.</summary>
    public Func<uint, IInvokable?> CreateInvokable { get; }

    /// <inheritdoc/>
    public override string ToString() => Alias;
}
