using Flo.Kv;
using Flo.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Flo.Endpoints.Resp;

/// <summary>
/// The Redis protocol (RESP2) on its own port (6379 by default), as a Kestrel connection handler: serves the KV store
/// and streams (X* commands), so <c>redis-cli</c>, <c>redis-benchmark</c> and Redis clients work. With tokens configured
/// (<see cref="FloAccessControl"/>) a connection signs in with <c>AUTH</c> and each command is checked against its token.
/// <paramref name="kv"/> is the silo's one <see cref="KvApi"/>, which answers GETs of keys active here without a grain call.
/// </summary>
public sealed class RespConnectionHandler(IGrainFactory grains, KvApi kv, FloAccessControl access, ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    private readonly RespStreamCommands streamCommands = new(new Flo.Streams.StreamApi(grains));

    /// <inheritdoc/>
    public override Task OnConnectedAsync(ConnectionContext connection)
        => new RespSession(connection.Transport, kv, streamCommands, access, logger, connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId).RunAsync(connection.ConnectionClosed);
}
