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
/// Kestrel connection handler of the silo-to-silo port: another silo's connection to this one. Checks the silo
/// preamble, answers the hello with this incarnation's address (so a caller never talks to a restarted silo thinking
/// it is the old one), then serves grain requests, probes and membership gossip.
/// </summary>
internal sealed partial class SiloConnectionHandler(
    SiloRuntime runtime,
    SiloDetails silo,
    ClusterMembershipService membership,
    IOptions<MessagingOptions> options,
    ILogger<SiloConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        var input = connection.Transport.Input;
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        handshake.CancelAfter(options.Value.HandshakeTimeout);
        try
        {
            var result = await input.ReadAtLeastAsync(ProtocolPreamble.Length, handshake.Token).ConfigureAwait(false);
            if (result.Buffer.Length < ProtocolPreamble.Length)
            {
                return;
            }
            Span<byte> first = stackalloc byte[ProtocolPreamble.Length];
            result.Buffer.Slice(0, ProtocolPreamble.Length).CopyTo(first);
            if (!first.SequenceEqual(ProtocolPreamble.SiloBytes))
            {
                LogUnknownProtocol(logger, remote, Convert.ToHexString(first));
                return;
            }
            input.AdvanceTo(result.Buffer.GetPosition(ProtocolPreamble.Length));
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await using var inbound = new InboundSiloConnection(connection.Transport, this, options.Value.MaxMessageSize, logger, remote);
        using var closedRegistration = connection.ConnectionClosed.Register(static c => ((Connection)c!).Close(), inbound);
        var lifetime = connection.Features.Get<IConnectionLifetimeNotificationFeature>();
        using var closeRequested = lifetime?.ConnectionClosedRequested.Register(static c => ((Connection)c!).Close(), inbound);
        await inbound.RunAsync().ConfigureAwait(false);
    }

    private void OnMessage(InboundSiloConnection connection, Message message)
    {
        if (silo.IsKilled && message.Kind is not (MessageKind.Request or MessageKind.OneWay))
        {
            // A crashed silo answers no probe; requests still reaching it (its host is about to stop) are refused as
            // not executed by the dispatcher, so their callers may route them again.
            return;
        }
        switch (message.Kind)
        {
            case MessageKind.Request:
            case MessageKind.OneWay:
                runtime.Dispatcher.ReceiveRequest(message, connection);
                break;
            case MessageKind.Hello:
                connection.Describe($"silo {message.SenderSilo}");
                connection.RemoteSilo = TryParse(message.SenderSilo);
                connection.TrySend(new Message { Kind = MessageKind.Hello, SenderSilo = silo.Address?.ToString(), SiloName = silo.Name });
                break;
            case MessageKind.Ping:
                if (silo.IgnoresProbesFrom(connection.RemoteSilo))
                {
                    break;
                }
                connection.TrySend(new Message { Kind = MessageKind.Response, RequestId = message.RequestId, Status = ResponseStatus.Ok, SiloName = silo.Name });
                break;
            case MessageKind.IndirectProbe:
                _ = ProbeForAsync(connection, message);
                break;
            case MessageKind.MembershipChanged:
                _ = RefreshAsync();
                break;
        }
    }

    private static SiloAddress? TryParse(string? address)
    {
        try
        {
            return address is null ? null : SiloAddress.Parse(address);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async Task ProbeForAsync(InboundSiloConnection connection, Message request)
    {
        var ok = false;
        try
        {
            var target = SiloAddress.Parse(request.ProbeTarget ?? "");
            var timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, 1, 60_000));
            ok = await runtime.Prober.ProbeAsync(target, timeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FormatException)
        {
        }
        connection.TrySend(new Message
        {
            Kind = MessageKind.Response,
            RequestId = request.RequestId,
            Status = ok ? ResponseStatus.Ok : ResponseStatus.Unavailable,
            SiloName = silo.Name,
        });
    }

    private async Task RefreshAsync()
    {
        try
        {
            await membership.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogRefreshFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing silo-port connection from {Remote}: unknown protocol (first bytes {FirstBytes})")]
    private static partial void LogUnknownProtocol(ILogger logger, string remote, string firstBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-reading the membership table after gossip failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception error);

    private sealed class InboundSiloConnection(IDuplexPipe transport, SiloConnectionHandler handler, int maxMessageSize, ILogger logger, string remote)
        : Connection(transport, maxMessageSize, logger, remote), IResponseSink
    {
        protected override void OnMessage(Message message) => handler.OnMessage(this, message);

        public void SendResponse(Message response) => TrySend(response);

        public void Describe(string description) => RemoteDescription = description;

        /// <summary>The calling silo, from its hello.</summary>
        public SiloAddress? RemoteSilo { get; set; }
    }
}
