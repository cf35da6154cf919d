namespace Flo;

/// <summary>
/// A call failed in a way that leaves open whether the grain ran it: the response did not arrive in time, the
/// connection or silo carrying it was lost, or a silo on the way reported itself unavailable after the request may have
/// reached it. Orleans never resends a call, and <see cref="FloClient"/> resends only calls that are safe to repeat
/// (methods marked <see cref="Orleans.Concurrency.ReadOnlyAttribute"/> or <see cref="IdempotentAttribute"/>); any other such failure ends
/// here. Read the state back (or use the operation's own guard: a CAS version, a dedup key) before trying again.
/// <see cref="Exception.InnerException"/> is the failure Orleans reported.
/// </summary>
public sealed class CallOutcomeUnknownException : FloException
{
    /// <summary>Creates the exception for a call to <paramref name="interfaceName"/>.<paramref name="methodName"/> on <paramref name="grainId"/>.</summary>
    public CallOutcomeUnknownException(string grainId, string interfaceName, string methodName, bool idempotent, Exception inner)
        : base(Describe(grainId, interfaceName, methodName, idempotent, inner), inner)
    {
        GrainId = grainId;
        InterfaceName = interfaceName;
        MethodName = methodName;
        IsIdempotent = idempotent;
    }

    /// <summary>The grain the call went to (<c>type/key</c>).</summary>
    public string GrainId { get; }

    /// <summary>The grain interface of the method called.</summary>
    public string InterfaceName { get; }

    /// <summary>The method called.</summary>
    public string MethodName { get; }

    /// <summary>
    /// True when the method is <c>[ReadOnly]</c> or <c>[Idempotent]</c>: running it again is harmless, the client just
    /// ran out of time to do so (its deadline or the caller's token).
    /// </summary>
    public bool IsIdempotent { get; }

    private static string Describe(string grainId, string interfaceName, string methodName, bool idempotent, Exception inner)
        => idempotent
            ? $"{interfaceName}.{methodName} on grain {grainId} may have executed: {inner.GetType().Name}: {inner.Message} The method is safe to repeat, but the call's deadline passed before it could be retried."
            : $"{interfaceName}.{methodName} on grain {grainId} may have executed: {inner.GetType().Name}: {inner.Message} It was not retried: the method is neither [ReadOnly] nor [Idempotent].";
}

/// <summary>
/// A call was never executed: no gateway could be reached, or every attempt was rejected unexecuted (no silo could
/// take it), until the call's deadline or the caller's token ended the retries. Nothing changed in the cluster; it is
/// safe to try again later. <see cref="Exception.InnerException"/> is the last failure Orleans reported.
/// </summary>
public sealed class ClusterUnavailableException : FloException
{
    /// <summary>Creates the exception.</summary>
    public ClusterUnavailableException(string grainId, string interfaceName, string methodName, int attempts, TimeSpan elapsed, Exception inner)
        : base($"{interfaceName}.{methodName} on grain {grainId} was not executed: the cluster did not accept it in {attempts} attempt(s) over {elapsed.TotalSeconds:0.0} s ({inner.GetType().Name}: {inner.Message}).", inner)
    {
        GrainId = grainId;
        InterfaceName = interfaceName;
        MethodName = methodName;
        Attempts = attempts;
    }

    /// <summary>The grain the call went to (<c>type/key</c>).</summary>
    public string GrainId { get; }

    /// <summary>The grain interface of the method called.</summary>
    public string InterfaceName { get; }

    /// <summary>The method called.</summary>
    public string MethodName { get; }

    /// <summary>How many times the call was sent (or tried to be).</summary>
    public int Attempts { get; }
}
