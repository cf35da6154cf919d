namespace Flo.Invocation;

/// <summary>
/// The runtime behind generated proxies: the silo's in-process dispatcher or a client's gateway connection.
/// </summary>
public interface IGrainCallInvoker
{
    /// <summary>Sends a request and returns the decoded result.</summary>
    Task<T> InvokeAsync<T>(GrainReference target, IInvokable request, CancellationToken cancellationToken);

    /// <summary>Sends a request that returns no value and waits for its completion.</summary>
    Task InvokeAsync(GrainReference target, IInvokable request, CancellationToken cancellationToken);

    /// <summary>Sends a one-way request; does not wait.</summary>
    void InvokeOneWay(GrainReference target, IInvokable request);
}

/// <summary>Turns a serialized grain reference back into a callable proxy bound to the local runtime.</summary>
public interface IGrainReferenceActivator
{
    /// <summary>Creates a proxy for the interface id and key.</summary>
    GrainReference CreateReference(uint interfaceId, string key);
}
