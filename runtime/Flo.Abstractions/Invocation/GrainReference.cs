namespace Flo.Invocation;

/// <summary>Base class of generated grain proxies: an interface, a key and the runtime that carries calls.</summary>
public abstract class GrainReference : IAddressable, IEquatable<GrainReference>
{
    /// <summary>Called by generated proxies.</summary>
    protected GrainReference(IGrainCallInvoker runtime, string key)
    {
        Runtime = runtime;
        Key = key;
    }

    /// <summary>The interface this proxy implements.</summary>
    public abstract GrainInterfaceInfo Interface { get; }

    /// <summary>The grain key.</summary>
    public string Key { get; }

    /// <summary>
    /// The grain type when the reference was made from a full <see cref="GrainId"/>; null when the interface decides
    /// it (the usual case). Set once by the runtime right after the proxy is created.
    /// </summary>
    public string? GrainType { get; private set; }

    /// <summary>Names the grain type explicitly (see <see cref="GrainType"/>); called by the runtime only.</summary>
    public GrainReference WithGrainType(string grainType)
    {
        if (GrainType is not null && GrainType != grainType)
        {
            throw new InvalidOperationException($"The reference {this} already names grain type '{GrainType}'.");
        }
        GrainType = grainType;
        return this;
    }

    /// <summary>The runtime that sends this proxy's calls.</summary>
    public IGrainCallInvoker Runtime { get; }

    /// <summary>Invokes a method with a result.</summary>
    protected Task<T> Invoke<T>(IInvokable request, CancellationToken cancellationToken = default) => Runtime.InvokeAsync<T>(this, request, cancellationToken);

    /// <summary>Invokes a method without a result.</summary>
    protected Task Invoke(IInvokable request, CancellationToken cancellationToken = default) => Runtime.InvokeAsync(this, request, cancellationToken);

    /// <summary>Invokes a one-way method.</summary>
    protected void InvokeOneWay(IInvokable request) => Runtime.InvokeOneWay(this, request);

    /// <inheritdoc/>
    public bool Equals(GrainReference? other) => other is not null && other.Interface.Id == Interface.Id && other.Key == Key && other.GrainType == GrainType;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GrainReference r && Equals(r);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Interface.Id, Key);

    /// <inheritdoc/>
    public override string ToString() => GrainType is null ? $"{Interface.Alias}/{Key}" : $"{GrainType}/{Key} ({Interface.Alias})";
}
