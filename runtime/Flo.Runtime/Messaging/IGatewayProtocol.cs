using Microsoft.AspNetCore.Connections;

namespace Flo.Runtime.Messaging;

/// <summary>
/// Another protocol served on the gateway port, recognised by the connection's first byte (the Flo protocol starts
/// with 0xF1, which no text protocol does). The silo is active when <see cref="RunAsync"/> is called; the first
/// byte has not been consumed.
/// </summary>
public interface IGatewayProtocol
{
    /// <summary>Name for logs, e.g. <c>resp</c>.</summary>
    string Name { get; }

    /// <summary>Whether a connection starting with this byte speaks this protocol.</summary>
    bool Matches(byte firstByte);

    /// <summary>Serves the connection until it closes.</summary>
    Task RunAsync(ConnectionContext connection);
}

/// <summary>HTTP endpoints a feature adds to the silo's HTTP port (applied by <c>MapFloSiloEndpoints</c>).</summary>
public sealed class SiloEndpointMapping(Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder> map)
{
    /// <summary>Maps the endpoints.</summary>
    public Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder> Map { get; } = map;
}
