using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Flo.Security;

namespace Flo.Security.Tests;

/// <summary>
/// A raw RESP2 connection (plain TCP, or TLS through <see cref="SslStream"/>) that sends one command at a time and returns
/// the reply as text: <c>+OK</c>, <c>-NOAUTH ...</c>, <c>:1</c>, a bulk string's content, <c>(nil)</c>, or an array's
/// elements joined by newlines. Enough to see every error line exactly as a client gets it.
/// </summary>
public sealed class RespConnection : IAsyncDisposable
{
    private readonly TcpClient tcp;
    private readonly Stream stream;

    private RespConnection(TcpClient tcp, Stream stream)
    {
        this.tcp = tcp;
        this.stream = stream;
    }

    /// <summary>Connects over plain TCP.</summary>
    public static async Task<RespConnection> OpenAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RespConnection(tcp, tcp.GetStream());
    }

    /// <summary>Connects over TLS, trusting only certificates that chain to <paramref name="authority"/>.</summary>
    public static async Task<RespConnection> OpenTlsAsync(int port, X509Certificate2 authority)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false,
            (_, certificate, chain, errors) => certificate is X509Certificate2 c && FloCertificates.IsTrusted(c, chain, errors, [authority], out string? _));
        await ssl.AuthenticateAsClientAsync("localhost");
        return new RespConnection(tcp, ssl);
    }

    /// <summary>Sends a command and reads its reply.</summary>
    public async Task<string> SendAsync(params string[] args)
    {
        var command = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            command.Append($"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()));
        await stream.FlushAsync();
        return await ReadReplyAsync();
    }

    private async Task<string> ReadReplyAsync()
    {
        var line = await ReadLineAsync();
        switch (line[0])
        {
            case '$':
                var length = int.Parse(line[1..]);
                if (length < 0)
                {
                    return "(nil)";
                }
                var data = new byte[length + 2];
                await stream.ReadExactlyAsync(data);
                return Encoding.UTF8.GetString(data, 0, length);
            case '*':
                var count = int.Parse(line[1..]);
                var items = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(await ReadReplyAsync());
                }
                return string.Join("\n", items);
            default:
                return line;
        }
    }

    private async Task<string> ReadLineAsync()
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new EndOfStreamException("The server closed the connection.");
            }
            if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r')
            {
                return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            }
            bytes.Add(one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync();
        tcp.Dispose();
    }
}
