using System.IO.Pipelines;
using System.Net.Sockets;
using Flo.Messaging;
using Flo.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Messaging;

/// <summary>
/// This silo's connection to one other silo incarnation: requests, probes and gossip out, responses in. Requests
/// the other silo sends to us travel on its own connection to our silo port (<see cref="SiloConnectionHandler"/>),
/// so each direction has one multiplexed, batching connection.
/// </summary>
internal sealed class SiloConnection : Connection
{
    private readonly CallbackRegistry callbacks;
    private readonly TaskCompletionSource<Message> hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Socket socket;

    private SiloConnection(Socket socket, IDuplexPipe pipe, CallbackRegistry callbacks, SiloAddress target, int maxMessageSize, ILogger logger)
        : base(pipe, maxMessageSize, logger, $"silo {target}")
    {
        this.socket = socket;
        this.callbacks = callbacks;
        Target = target;
    }

    /// <summary>The incarnation at the other end.</summary>
    public SiloAddress Target { get; }

    /// <summary>
    /// Connects and checks that the silo listening is the expected incarnation: a restarted silo on the same port is
    /// a different incarnation, and the old one is gone.
    /// </summary>
    public static async Task<SiloConnection> ConnectAsync(
        SiloAddress self, SiloAddress target, CallbackRegistry callbacks, int maxMessageSize, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            await socket.ConnectAsync(target.Host, target.Port, cts.Token).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(ProtocolPreamble.SiloBytes.ToArray(), cts.Token).ConfigureAwait(false);
            var pipe = new StreamDuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
            var connection = new SiloConnection(socket, pipe, callbacks, target, maxMessageSize, logger);
            _ = connection.RunAsync();
            connection.TrySend(new Message { Kind = MessageKind.Hello, SenderSilo = self.ToString() });
            var greeting = await connection.hello.Task.WaitAsync(cts.Token).ConfigureAwait(false);
            if (greeting.SenderSilo != target.ToString())
            {
                connection.Close();
                throw new SiloUnavailableException($"Silo {target} is gone: {greeting.SenderSilo ?? "another process"} now listens on {target.Host}:{target.Port}.");
            }
            return connection;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SiloUnavailableException($"Could not connect to silo {target}: {e.Message}", e);
        }
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
                // The other silo sends its requests on its own connection; nothing else is expected here.
                break;
        }
    }

    protected override void OnClosed(Exception? reason)
    {
        hello.TrySetException(new SiloUnavailableException($"Silo {Target} closed the connection during the handshake.", reason));
        callbacks.FailRoute(this, call => new SiloUnavailableException(
            $"Connection to silo {Target} was lost while waiting for {call.Method} on {call.Target}; the call may have executed.", reason));
        socket.Dispose();
    }
}

/// <summary>Pairs a reader and writer over one stream.</summary>
internal sealed class StreamDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
