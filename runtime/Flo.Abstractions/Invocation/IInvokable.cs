using Flo.Serialization;

namespace Flo.Invocation;

/// <summary>Per-method behaviour flags, taken from the interface method's attributes by the code generator.</summary>
[Flags]
public enum InvokeFlags : byte
{
    /// <summary>An ordinary request: one at a time per activation.</summary>
    None = 0,
    /// <summary>[OneWay]: no response is sent.</summary>
    OneWay = 1,
    /// <summary>[ReadOnly]: interleaves with other read-only requests.</summary>
    ReadOnly = 2,
    /// <summary>[AlwaysInterleave]: interleaves with anything.</summary>
    AlwaysInterleave = 4,
    /// <summary>
    /// [Idempotent]: running the call twice has the same effect as running it once, so a client may resend it when
    /// the connection is lost while the call is pending (it may or may not have run). [ReadOnly] implies this for
    /// retries without setting the bit.
    /// </summary>
    Idempotent = 8,
}

/// <summary>
/// One grain method call as data: generated per interface method. The caller fills the arguments and writes them;
/// the silo creates an empty one from the (interface id, method id) pair, reads the arguments and invokes it.
/// </summary>
public interface IInvokable
{
    /// <summary>The interface that declares the method.</summary>
    GrainInterfaceInfo Interface { get; }

    /// <summary>Stable method id (hash of the method's alias or name and arity).</summary>
    uint MethodId { get; }

    /// <summary>Method name, for diagnostics and spans.</summary>
    string MethodName { get; }

    /// <summary>Scheduling flags.</summary>
    InvokeFlags Flags { get; }

    /// <summary>Writes the arguments as fields 0..n-1.</summary>
    void WriteArguments(WireWriter writer);

    /// <summary>Reads the arguments (missing fields keep their defaults; unknown ones are skipped).</summary>
    void ReadArguments(WireReader reader);

    /// <summary>Calls the method on the grain and writes its result, if any, as field 0.</summary>
    ValueTask InvokeAsync(object grain, WireWriter result, CancellationToken cancellationToken);
}
