using System.Buffers;
using System.IO.Pipelines;
using Flo.Messaging;
using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Messaging;

/// <summary>
/// Kestrel connection handler of the client gateway port. Checks the protocol preamble (a port can then also
/// serve text protocols, recognised by their first byte), waits until the silo is active, says hello and serves
/// the connection's requests.
/// </summary>
internal sealed partial class GatewayConnectionHandler(
    Dispatcher dispatcher,
    SiloDetails silo,
    IMembershipTable membership,
    IOptions<MessagingOptions> options,
    IEnumerable<IGatewayProtocol> protocols,
    ILogger<GatewayConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        var input = connection.Transport.Input;
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        handshake.CancelAfter(options.Value.HandshakeTimeout);
        try
        {
            var peek = await input.ReadAtLeastAsync(1, handshake.Token).ConfigureAwait(false);
            if (peek.Buffer.IsEmpty)
            {
                return;
            }
            var firstByte = peek.Buffer.FirstSpan[0];
            input.AdvanceTo(peek.Buffer.Start);
            if (firstByte != ProtocolPreamble.Bytes[0])
            {
                // Another protocol on the same port (e.g. RESP): it gets the untouched connection.
                var other = protocols.FirstOrDefault(p => p.Matches(firstByte));
                if (other is null)
                {
                    LogUnknownProtocol(logger, remote, Convert.ToHexString([firstByte]));
                    return;
                }
                await silo.WhenActive.WaitAsync(handshake.Token).ConfigureAwait(false);
                LogOtherProtocol(logger, remote, other.Name);
                await other.RunAsync(connection).ConfigureAwait(false);
                return;
            }
            var result = await input.ReadAtLeastAsync(ProtocolPreamble.Length, handshake.Token).ConfigureAwait(false);
            if (result.Buffer.Length < ProtocolPreamble.Length)
            {
                return;
            }
            Span<byte> first = stackalloc byte[ProtocolPreamble.Length];
            result.Buffer.Slice(0, ProtocolPreamble.Length).CopyTo(first);
            if (!first.SequenceEqual(ProtocolPreamble.Bytes))
            {
                LogUnknownProtocol(logger, remote, Convert.ToHexString(first));
                return;
            }
            input.AdvanceTo(result.Buffer.GetPosition(ProtocolPreamble.Length));
            await silo.WhenActive.WaitAsync(handshake.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogHandshakeTimeout(logger, remote);
            return;
        }
        catch (SiloUnavailableException)
        {
            return;
        }

        await using var inbound = new InboundClientConnection(connection.Transport, dispatcher, options.Value.MaxMessageSize, logger, remote, this, connection.ConnectionClosed);
        inbound.TrySend(await HelloAsync(connection.ConnectionClosed).ConfigureAwait(false));
        using var closedRegistration = connection.ConnectionClosed.Register(static c => ((Connection)c!).Close(), inbound);
        // Kestrel asks connections to close when the silo stops; without this it would wait out its shutdown timeout.
        var lifetime = connection.Features.Get<IConnectionLifetimeNotificationFeature>();
        using var closeRequested = lifetime?.ConnectionClosedRequested.Register(static c => ((Connection)c!).Close(), inbound);
        await inbound.RunAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Who this silo is, whether it still serves (status Unavailable once it is no longer active, so clients move new
    /// calls elsewhere) and the active gateways. Sent at connect and whenever the client sends a hello.
    /// </summary>
    private async Task<Message> HelloAsync(CancellationToken cancellationToken) => new()
    {
        Kind = MessageKind.Hello,
        SiloName = silo.Name,
        Status = silo.IsActive ? ResponseStatus.Ok : ResponseStatus.Unavailable,
        Gateways = await ActiveGatewaysAsync(cancellationToken).ConfigureAwait(false),
    };

    /// <summary>The gateways of active silos, so the client can fail over without being told them all.</summary>
    private async Task<string?> ActiveGatewaysAsync(CancellationToken cancellationToken)
    {
        try
        {
            var data = await membership.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            return string.Join(',', data.Entries
                .Where(e => e.Entry.Status == SiloStatus.Active && e.Entry.GatewayPort > 0)
                .Select(e => $"{e.Entry.Silo.Host}:{e.Entry.GatewayPort}"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogGatewayListFailed(logger, e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the membership table for the gateway list")]
    private static partial void LogGatewayListFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Remote}: unknown protocol (first bytes {FirstBytes})")]
    private static partial void LogUnknownProtocol(ILogger logger, string remote, string firstBytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection from {Remote} speaks {Protocol}")]
    private static partial void LogOtherProtocol(ILogger logger, string remote, string protocol);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closing connection from {Remote}: no handshake in time")]
    private static partial void LogHandshakeTimeout(ILogger logger, string remote);

    private sealed class InboundClientConnection(
        IDuplexPipe transport, Dispatcher dispatcher, int maxMessageSize, ILogger logger, string remote,
        GatewayConnectionHandler handler, CancellationToken connectionClosed)
        : Connection(transport, maxMessageSize, logger, remote), IResponseSink
    {
        private int answeringHello;

        protected override void OnMessage(Message message)
        {
            if (message.Kind is MessageKind.Request or MessageKind.OneWay)
            {
                dispatcher.ReceiveRequest(message, this);
            }
            else if (message.Kind == MessageKind.Hello && Interlocked.Exchange(ref answeringHello, 1) == 0)
            {
                // The client asks for the current gateway list; one membership read at a time per connection.
                _ = AnswerHelloAsync();
            }
        }

        private async Task AnswerHelloAsync()
        {
            try
            {
                TrySend(await handler.HelloAsync(connectionClosed).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                // The connection closed meanwhile.
            }
            finally
            {
                Volatile.Write(ref answeringHello, 0);
            }
        }

        public void SendResponse(Message response) => TrySend(response);
    }
}
