using Flo.Errors;
using Flo.Invocation;
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
    IClusterMembership membership,
    MessagingOptions options,
    ILogger<RequestForwarder> logger)
{
    public void Forward(Message message, IResponseSink? sink, SiloAddress owner, long membershipVersion, GrainId grainId, GrainClassInfo grainClass)
    {
        if (message.ForwardCount >= options.MaxForwardCount)
        {
            dispatcher.Reject(message, sink, new SiloUnavailableException(
                $"{message.DescribeTarget()} could not be routed after {message.ForwardCount} forwards (membership is changing; last owner {owner})."));
            return;
        }
        message.ForwardCount++;
        message.MembershipVersion = membershipVersion;
        _ = sink is null ? SendOneWayAsync(message, owner) : RelayAsync(message, sink, owner, grainId, grainClass);
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

    private async Task RelayAsync(Message message, IResponseSink sink, SiloAddress owner, GrainId grainId, GrainClassInfo grainClass)
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
            await RerouteOrRejectAsync(message, sink, owner, grainId, grainClass, $"{silo.Name} cannot reach it: {e.Message}").ConfigureAwait(false);
            return;
        }
        try
        {
            response = await call.Task.ConfigureAwait(false);
        }
        catch (SiloUnavailableException e) when ((message.Flags & (InvokeFlags.Idempotent | InvokeFlags.ReadOnly)) != 0)
        {
            // The owner's connection was lost with the request in flight; running an idempotent call again is
            // harmless, so route it again rather than fail it (a long blocking get relayed by a leaving silo).
            message.RequestId = originalId;
            await RerouteOrRejectAsync(message, sink, owner, grainId, grainClass, e.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception e)
        {
            response = new Message { Kind = MessageKind.Response, SiloName = silo.Name };
            RemoteExceptionMapper.FillExecuted(response, e);
        }
        response.RequestId = originalId;
        if (response.Status == ResponseStatus.Unavailable)
        {
            // The owner did not run it (it is leaving, or its view moved the grain on): safe to route again.
            message.RequestId = originalId;
            await RerouteOrRejectAsync(message, sink, owner, grainId, grainClass, response.ErrorMessage ?? "it was unavailable").ConfigureAwait(false);
            return;
        }
        sink.SendResponse(response);
    }

    /// <summary>
    /// A request that was not executed by the owner this silo chose: re-read membership and route it again if the
    /// grain now has another owner (the hop limit still applies), otherwise answer Unavailable (safe to retry).
    /// </summary>
    private async Task RerouteOrRejectAsync(Message message, IResponseSink sink, SiloAddress triedOwner, GrainId grainId, GrainClassInfo grainClass, string why)
    {
        try
        {
            await membership.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRefreshFailed(logger, e);
        }
        var owner = membership.CurrentView.OwnerOf(grainId);
        if (owner is not null && !owner.Equals(triedOwner) && message.ForwardCount < options.MaxForwardCount)
        {
            dispatcher.Route(message, sink, grainId, grainClass, refreshed: true);
            return;
        }
        dispatcher.Reject(message, sink, new SiloUnavailableException($"{message.DescribeTarget()} lives on silo {triedOwner}, and {why}"));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-reading the membership table before rerouting failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped one-way message for {Target}: silo {Owner} is unreachable ({Reason})")]
    private static partial void LogDropped(ILogger logger, string target, string owner, string reason);
}
