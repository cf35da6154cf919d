using Flo.Kv;
using Flo.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Flo.Endpoints.Resp;

/// <summary>
/// The Redis protocol (RESP2) on its own port (6379 by default), as a Kestrel connection handler: serves the KV store
/// and streams (X* commands), so <c>redis-cli</c>, <c>redis-benchmark</c> and Redis clients work. With tokens configured
/// (<see cref="FloAccessControl"/>) a connection signs in with <c>AUTH</c> and each command is checked against its token.
/// </summary>
public sealed class RespConnectionHandler(IGrainFactory grains, FloAccessControl access, ILogger<RespConnectionHandler> logger, IKvLocalReads? localReads = null) : ConnectionHandler
{
    // GETs of keys active on this silo are answered from their grains' published values, without a grain call.
    private readonly KvApi kv = new(grains, localReads: localReads);
    private readonly RespStreamCommands streamCommands = new(new Flo.Streams.StreamApi(grains));

    /// <inheritdoc/>
    public override Task OnConnectedAsync(ConnectionContext connection)
        => new RespSession(connection.Transport, kv, streamCommands, access, logger, connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId).RunAsync(connection.ConnectionClosed);
}
