using Flo.Invocation;

namespace Flo.Messaging;

/// <summary>What a frame carries. Values are frozen: they are on the wire.</summary>
public enum MessageKind : byte
{
    /// <summary>A grain call expecting a response.</summary>
    Request = 1,
    /// <summary>The response to a request.</summary>
    Response = 2,
    /// <summary>A grain call without a response.</summary>
    OneWay = 3,
    /// <summary>Sent by a silo right after the preamble: who it is.</summary>
    Hello = 4,
    /// <summary>Silo-to-silo liveness probe, answered with a <see cref="Response"/>.</summary>
    Ping = 5,
    /// <summary>"Probe <see cref="Message.ProbeTarget"/> for me": answered with a Response, Ok when the target answered.</summary>
    IndirectProbe = 6,
    /// <summary>Gossip: the sender changed the membership table; re-read it (one-way).</summary>
    MembershipChanged = 7,
}

/// <summary>Outcome of a request on the wire. Values are frozen: clients map them to exception types.</summary>
public enum ResponseStatus : byte
{
    /// <summary>Success; the body holds the result.</summary>
    Ok = 0,
    /// <summary>The grain method threw; <see cref="Message.ErrorType"/> and <see cref="Message.ErrorMessage"/> say what.</summary>
    ApplicationError = 1,
    /// <summary>The request waited longer than its timeout.</summary>
    Timeout = 2,
    /// <summary>Unknown grain interface, grain type or method.</summary>
    NotFound = 3,
    /// <summary>The request was malformed (e.g. arguments that do not deserialize).</summary>
    Rejected = 4,
    /// <summary>
    /// The silo cannot serve the request now (starting, stopping, membership changing, owner unreachable). Contract:
    /// a request answered with this status was never started by any grain, so any call may be retried.
    /// </summary>
    Unavailable = 5,
}

/// <summary>
/// One frame of the Flo protocol: a header of tagged fields and an opaque body (arguments or result).
/// Client-to-gateway and silo-to-silo traffic use the same message.
/// </summary>
public sealed class Message
{
    // Fields most calls never carry (errors, tracestate, silo names, gateway lists, probe targets) live in a second object
    // made on first use: a message is made four times per call, so its size is paid on every call.
    private Extra? extras;

    /// <summary>Kind of message.</summary>
    public MessageKind Kind { get; set; }

    /// <summary>Correlates a response with its request on one connection.</summary>
    public long RequestId { get; set; }

    /// <summary>Interface of the grain reference the call was made on (decides the grain type).</summary>
    public uint TargetInterfaceId { get; set; }

    /// <summary>Grain type, when the caller named it (otherwise the target interface decides it).</summary>
    public string? TargetGrainType { get; set; }

    /// <summary>Grain key.</summary>
    public string TargetKey { get; set; } = "";

    /// <summary>Interface that declares the method (differs from the target's for inherited methods).</summary>
    public uint MethodInterfaceId { get; set; }

    /// <summary>Method id within <see cref="MethodInterfaceId"/>.</summary>
    public uint MethodId { get; set; }

    /// <summary>Scheduling flags of the method.</summary>
    public InvokeFlags Flags { get; set; }

    /// <summary>How long the caller waits, in milliseconds; the silo stops queueing the request after that.</summary>
    public int TimeoutMs { get; set; }

    /// <summary>W3C traceparent of the caller's span.</summary>
    public string? TraceParent { get; set; }

    /// <summary>W3C tracestate.</summary>
    public string? TraceState { get => extras?.TraceState; set { if (ExtrasFor(value) is { } e) { e.TraceState = value; } } }

    /// <summary>Grains and methods the request passed through (for deadlock diagnostics).</summary>
    public string? CallChain { get; set; }

    /// <summary>Response status.</summary>
    public ResponseStatus Status { get; set; }

    /// <summary>Error type name (exception full name) on failed responses.</summary>
    public string? ErrorType { get => extras?.ErrorType; set { if (ExtrasFor(value) is { } e) { e.ErrorType = value; } } }

    /// <summary>Error message on failed responses.</summary>
    public string? ErrorMessage { get => extras?.ErrorMessage; set { if (ExtrasFor(value) is { } e) { e.ErrorMessage = value; } } }

    /// <summary>Name of the silo that produced a response or hello.</summary>
    public string? SiloName { get => extras?.SiloName; set { if (ExtrasFor(value) is { } e) { e.SiloName = value; } } }

    /// <summary>In a hello: the gateways of the cluster's active silos (<c>host:port</c>, comma-separated).</summary>
    public string? Gateways { get => extras?.Gateways; set { if (ExtrasFor(value) is { } e) { e.Gateways = value; } } }

    /// <summary>Silo-to-silo: the sending silo's incarnation (<c>host:port@generation</c>), in hellos and gossip.</summary>
    public string? SenderSilo { get => extras?.SenderSilo; set { if (ExtrasFor(value) is { } e) { e.SenderSilo = value; } } }

    /// <summary>Silo-to-silo: the membership version the sender routed the message with (0 when unknown).</summary>
    public long MembershipVersion { get; set; }

    /// <summary>How many times silos forwarded the request to the grain's owner (bounded).</summary>
    public int ForwardCount { get; set; }

    /// <summary>In an indirect probe: the silo to probe.</summary>
    public string? ProbeTarget { get => extras?.ProbeTarget; set { if (ExtrasFor(value) is { } e) { e.ProbeTarget = value; } } }

    /// <summary>Arguments (request) or result (response).</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>Describes the request target for errors and logs.</summary>
    public string DescribeTarget()
    {
        if (TargetGrainType is not null)
        {
            return $"{TargetGrainType}/{TargetKey}";
        }
        var iface = GrainInterfaceRegistry.TryGet(TargetInterfaceId, out var info) ? info.Alias : TargetInterfaceId.ToString("x8");
        return $"{iface}/{TargetKey}";
    }

    /// <summary>The extras to store <paramref name="value"/> in; none needed to store a null in a message without them.</summary>
    private Extra? ExtrasFor(string? value) => value is null ? extras : extras ??= new Extra();

    private sealed class Extra
    {
        public string? TraceState;
        public string? ErrorType;
        public string? ErrorMessage;
        public string? SiloName;
        public string? Gateways;
        public string? SenderSilo;
        public string? ProbeTarget;
    }
}
