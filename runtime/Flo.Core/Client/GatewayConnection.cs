using System.IO.Pipelines;
using System.Net.Sockets;
using Flo.Messaging;
using Microsoft.Extensions.Logging;

namespace Flo.Client;

/// <summary>A client's connection to one gateway silo: requests out, responses and the silo's hello in.</summary>
internal sealed class GatewayConnection : Connection
{
    private readonly CallbackRegistry callbacks;
    private readonly TaskCompletionSource<Message> hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Socket socket;

    private GatewayConnection(Socket socket, IDuplexPipe pipe, CallbackRegistry callbacks, int maxMessageSize, ILogger logger, string endpoint)
        : base(pipe, maxMessageSize, logger, endpoint)
    {
        this.socket = socket;
        this.callbacks = callbacks;
        Endpoint = endpoint;
    }

    /// <summary>The gateway's host:port.</summary>
    public string Endpoint { get; }

    /// <summary>The silo's name, known after the hello.</summary>
    public string SiloName { get; private set; } = "?";

    /// <summary>The cluster's gateways as the silo listed them in its hello.</summary>
    public IReadOnlyList<string> AdvertisedGateways { get; private set; } = [];

    public static async Task<GatewayConnection> ConnectAsync(string endpoint, CallbackRegistry callbacks, ClusterClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var (host, port) = ParseEndpoint(endpoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(ProtocolPreamble.Bytes.ToArray(), timeout.Token).ConfigureAwait(false);
            var pipe = new StreamDuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
            var connection = new GatewayConnection(socket, pipe, callbacks, options.MaxMessageSize, logger, endpoint);
            _ = connection.RunAsync();
            var greeting = await connection.hello.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            connection.SiloName = greeting.SiloName ?? "?";
            connection.AdvertisedGateways = greeting.Gateways?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            connection.RemoteDescription = $"{connection.SiloName} ({endpoint})";
            return connection;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SiloUnavailableException($"Could not connect to gateway {endpoint}: {e.Message}", e);
        }
    }

    internal static (string Host, int Port) ParseEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"Gateway endpoint '{endpoint}' is not host:port.", nameof(endpoint));
        }
        return (endpoint[..colon].Trim('[', ']'), port);
    }

    protected override void OnMessage(Message message)
    {
        switch (message.Kind)
        {
            case MessageKind.Response:
                callbacks.TryComplete(message);
                break;
            case MessageKind.Hello:
                hello.TrySetResult(message);
                break;
            default:
                // Gateways only answer; anything else is ignored rather than trusted.
                break;
        }
    }

    protected override void OnClosed(Exception? reason)
    {
        hello.TrySetException(new SiloUnavailableException($"Gateway {Endpoint} closed the connection during the handshake.", reason));
        callbacks.FailRoute(this, call => new SiloUnavailableException(
            $"Connection to gateway {SiloName} ({Endpoint}) was lost while waiting for {call.Method} on {call.Target}.", reason));
        socket.Dispose();
    }
}

/// <summary>Pairs a reader and writer over one stream.</summary>
internal sealed class StreamDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
