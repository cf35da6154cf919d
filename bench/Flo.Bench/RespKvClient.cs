using System.Net.Sockets;
using System.Text;

namespace Flo.Bench;

/// <summary>A minimal RESP client for the Redis side of the KV benchmark: SET and GET round trips on one connection.</summary>
public sealed class RespKvClient : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly byte[] buffer = new byte[64 * 1024];

    private RespKvClient(Socket socket) => this.socket = socket;

    public static async Task<RespKvClient> ConnectAsync(string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port);
        return new RespKvClient(socket);
    }

    public Task SetAsync(string key, byte[] value) => RoundTripAsync(Frame("SET", Encoding.UTF8.GetBytes(key), value));

    public Task GetAsync(string key) => RoundTripAsync(Frame("GET", Encoding.UTF8.GetBytes(key)));

    private static byte[] Frame(string command, params byte[][] args)
    {
        using var ms = new MemoryStream();
        void Bulk(byte[] b)
        {
            ms.Write(Encoding.ASCII.GetBytes($"${b.Length}\r\n"));
            ms.Write(b);
            ms.Write("\r\n"u8);
        }
        ms.Write(Encoding.ASCII.GetBytes($"*{args.Length + 1}\r\n"));
        Bulk(Encoding.ASCII.GetBytes(command));
        foreach (var a in args)
        {
            Bulk(a);
        }
        return ms.ToArray();
    }

    /// <summary>Sends one command and reads one reply (a simple string, error, nil or bulk string).</summary>
    private async Task RoundTripAsync(byte[] frame)
    {
        await socket.SendAsync(frame, SocketFlags.None);
        var read = 0;
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("The server closed the connection.");
            }
            read += n;
            if (Complete(buffer.AsSpan(0, read)))
            {
                return;
            }
        }
    }

    private static bool Complete(ReadOnlySpan<byte> reply)
    {
        var eol = reply.IndexOf("\r\n"u8);
        if (eol < 0)
        {
            return false;
        }
        if (reply[0] != (byte)'$')
        {
            return true;
        }
        var length = int.Parse(Encoding.ASCII.GetString(reply[1..eol]));
        return length < 0 || reply.Length >= eol + 2 + length + 2;
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
