using System.Net.Sockets;

namespace Flo.Bench;

/// <summary>
/// A minimal RESP client for the peer side of the grain-call benchmark: one connection per worker sending
/// <c>PING</c> and reading <c>+PONG</c>, i.e. one request/response round trip to another process, like a grain call.
/// </summary>
public sealed class RespPingClient : IAsyncDisposable
{
    private static readonly byte[] Ping = "*1\r\n$4\r\nPING\r\n"u8.ToArray();
    private readonly Socket socket;
    private readonly byte[] buffer = new byte[64];

    private RespPingClient(Socket socket) => this.socket = socket;

    public static async Task<RespPingClient> ConnectAsync(string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port);
        return new RespPingClient(socket);
    }

    public async Task PingAsync()
    {
        await socket.SendAsync(Ping, SocketFlags.None);
        var read = 0;
        while (read < 7)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("Redis closed the connection.");
            }
            read += n;
        }
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
