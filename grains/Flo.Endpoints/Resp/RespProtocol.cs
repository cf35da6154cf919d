using Flo.Kv;
using Flo.Runtime.Messaging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Flo.Endpoints.Resp;

/// <summary>
/// The Redis protocol (RESP2) on the gateway port, recognised by its first byte: <c>*</c> (a command array) or a
/// letter (an inline command). Serves the KV store and streams (X* commands): <c>redis-cli</c>, <c>redis-benchmark</c> and Redis clients work.
/// </summary>
internal sealed class RespProtocol(IGrainFactory grains, ILogger<RespProtocol> logger) : IGatewayProtocol
{
    private readonly KvApi kv = new(grains);
    private readonly RespStreamCommands streamCommands = new(new Flo.Streams.StreamApi(grains));

    public string Name => "resp";

    public bool Matches(byte firstByte) => firstByte == (byte)'*' || char.IsAsciiLetter((char)firstByte);

    public Task RunAsync(ConnectionContext connection)
        => new RespSession(connection.Transport, kv, streamCommands, logger, connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId).RunAsync(connection.ConnectionClosed);
}
