using System.IO.Pipelines;
using System.Net.Sockets;
using Flo.Messaging;
using Microsoft.Extensions.Logging;

namespace Flo.Client;

/// <summary>
/// A client's connection to one gateway silo: requests out, responses and the silo's hello in. After the handshake
/// the client may send a hello of its own to ask for the current gateway list; the silo answers with another hello
/// (status <see cref="ResponseStatus.Unavailable"/> when it no longer serves), which goes to <c>onHello</c>.
/// </summary>
internal sealed class GatewayConnection : Connection
{
    private readonly CallbackRegistry callbacks;
    private readonly TaskCompletionSource<Message> hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Socket socket;
    private readonly Action<GatewayConnection, Message>? onHello;

    private GatewayConnection(Socket socket, IDuplexPipe pipe, CallbackRegistry callbacks, int maxMessageSize, ILogger logger, string endpoint, Action<GatewayConnection, Message>? onHello)
        : base(pipe, maxMessageSize, logger, endpoint)
    {
        this.socket = socket;
        this.callbacks = callbacks;
        this.onHello = onHello;
        Endpoint = endpoint;
    }

    /// <summary>The gateway's host:port.</summary>
    public string Endpoint { get; }

    /// <summary>The silo's name, known after the hello.</summary>
    public string SiloName { get; private set; } = "?";

    /// <summary>"silo NAME (gateway HOST:PORT)", for errors; built once rather than per call.</summary>
    public string Destination { get; private set; } = "";

    /// <summary>The cluster's gateways as the silo listed them in its hello; null when it could not list them.</summary>
    public IReadOnlyList<string>? AdvertisedGateways { get; private set; }

    /// <summary>Parses a hello's gateway list; null when the silo sent none (it could not read the membership table).</summary>
    public static IReadOnlyList<string>? ParseGateways(string? gateways)
        => gateways?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Asks the gateway for the current gateway list (answered with a hello; ignored by older silos).</summary>
    public bool RequestGatewayList() => TrySend(new Message { Kind = MessageKind.Hello });

    public static async Task<GatewayConnection> ConnectAsync(string endpoint, CallbackRegistry callbacks, ClusterClientOptions options, ILogger logger, Action<GatewayConnection, Message>? onHello, CancellationToken cancellationToken)
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
            var connection = new GatewayConnection(socket, pipe, callbacks, options.MaxMessageSize, logger, endpoint, onHello);
            _ = connection.RunAsync();
            var greeting = await connection.hello.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            if (greeting.Status == ResponseStatus.Unavailable)
            {
                connection.Close();
                throw new SiloUnavailableException($"Gateway {greeting.SiloName} ({endpoint}) is not serving.", mayHaveExecuted: false);
            }
            connection.SiloName = greeting.SiloName ?? "?";
            connection.AdvertisedGateways = ParseGateways(greeting.Gateways);
            connection.RemoteDescription = $"{connection.SiloName} ({endpoint})";
            connection.Destination = $"silo {connection.SiloName} (gateway {endpoint})";
            return connection;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SiloUnavailableException($"Could not connect to gateway {endpoint}: {e.Message}", mayHaveExecuted: false, e);
        }
        catch
        {
            socket.Dispose();
            throw;
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
                // The first hello is the handshake; later ones answer RequestGatewayList.
                if (!hello.TrySetResult(message))
                {
                    onHello?.Invoke(this, message);
                }
                break;
            default:
                // Gateways only answer; anything else is ignored rather than trusted.
                break;
        }
    }

    protected override void OnClosed(Exception? reason)
    {
        hello.TrySetException(new SiloUnavailableException($"Gateway {Endpoint} closed the connection during the handshake.", mayHaveExecuted: false, reason));
        // The request was written (or queued to be): the silo may have run it. The caller decides whether to resend.
        callbacks.FailRoute(this, _ => new SiloUnavailableException(
            $"Connection to gateway {SiloName} ({Endpoint}) was lost while the call was pending{(reason is null ? "" : ": " + reason.Message)}.", mayHaveExecuted: true, reason));
        socket.Dispose();
    }
}

/// <summary>Pairs a reader and writer over one stream.</summary>
internal sealed class StreamDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
