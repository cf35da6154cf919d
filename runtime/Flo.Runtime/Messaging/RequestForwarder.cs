using Flo.Errors;
using Flo.Messaging;
using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Messaging;

/// <summary>
/// Sends a request this silo does not own to the silo that does, and relays the response back to whoever is waiting
/// here (a client's gateway connection, another silo, or a local grain). Hops are bounded: two silos whose views
/// disagree cannot bounce a request forever. A request that could not be sent was not executed and is answered
/// Unavailable (safe to retry); one lost after it was sent may have executed and is answered as an error.
/// </summary>
internal sealed partial class RequestForwarder(
    SiloConnectionManager connections,
    CallbackRegistry callbacks,
    Dispatcher dispatcher,
    SiloDetails silo,
    MessagingOptions options,
    ILogger<RequestForwarder> logger)
{
    public void Forward(Message message, IResponseSink? sink, SiloAddress owner, long membershipVersion)
    {
        if (message.ForwardCount >= options.MaxForwardCount)
        {
            dispatcher.Reject(message, sink, new SiloUnavailableException(
                $"{message.DescribeTarget()} could not be routed after {message.ForwardCount} forwards (membership is changing; last owner {owner})."));
            return;
        }
        message.ForwardCount++;
        message.MembershipVersion = membershipVersion;
        _ = sink is null ? SendOneWayAsync(message, owner) : RelayAsync(message, sink, owner);
    }

    private async Task SendOneWayAsync(Message message, SiloAddress owner)
    {
        try
        {
            await connections.SendAsync(owner, message, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FloException e)
        {
            LogDropped(logger, message.DescribeTarget(), owner.ToString(), e.Message);
        }
    }

    private async Task RelayAsync(Message message, IResponseSink sink, SiloAddress owner)
    {
        var originalId = message.RequestId;
        var timeout = message.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(message.TimeoutMs) : options.ResponseTimeout;
        var call = callbacks.Register(timeout, message.DescribeTarget(), "forwarded request", null);
        message.RequestId = call.RequestId;
        Message response;
        try
        {
            await connections.SendAsync(owner, message, call, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FloException e)
        {
            callbacks.Fail(call.RequestId, e);
            message.RequestId = originalId;
            dispatcher.Reject(message, sink, new SiloUnavailableException(
                $"{message.DescribeTarget()} lives on silo {owner}, which {silo.Name} cannot reach: {e.Message}"));
            return;
        }
        try
        {
            response = await call.Task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            response = new Message { Kind = MessageKind.Response, SiloName = silo.Name };
            RemoteExceptionMapper.FillExecuted(response, e);
        }
        response.RequestId = originalId;
        sink.SendResponse(response);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped one-way message for {Target}: silo {Owner} is unreachable ({Reason})")]
    private static partial void LogDropped(ILogger logger, string target, string owner, string reason);
}
