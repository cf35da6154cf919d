using Flo.Errors;
using Flo.Invocation;
using Flo.Messaging;
using Flo.Runtime.Catalog;
using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Flo.Serialization;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Messaging;

/// <summary>
/// Where every request to a grain enters a silo (from a client's gateway connection, another silo or a grain of
/// this silo): resolves the grain type, then either queues the call on the local activation, when this silo owns
/// the grain in its membership view, or forwards it to the owner (<see cref="RequestForwarder"/>). Everything that
/// can be wrong with a request is answered with an error response; nothing here throws at the caller.
/// </summary>
internal sealed partial class Dispatcher(
    GrainTypeManifest manifest,
    Catalog.Catalog catalog,
    SiloDetails silo,
    IClusterMembership membership,
    IGrainReferenceActivator references,
    ILogger<Dispatcher> logger)
{
    /// <summary>Set once at silo construction (the forwarder and the dispatcher refer to each other).</summary>
    public RequestForwarder Forwarder { get; set; } = null!;

    public void ReceiveRequest(Message message, IResponseSink? sink)
    {
        if (message.Kind == MessageKind.OneWay)
        {
            sink = null;
        }
        if (silo.IsKilled || silo.Status is SiloStatus.Joining or SiloStatus.Dead)
        {
            Reject(message, sink, new SiloUnavailableException($"Silo {silo.Name} is {silo.Status} and does not accept requests."));
            return;
        }
        GrainClassInfo grainClass;
        string error;
        if (message.TargetGrainType is { } grainType
            ? !manifest.TryResolveGrainType(grainType, out grainClass, out error)
            : !manifest.TryResolve(message.TargetInterfaceId, out grainClass, out error))
        {
            Reject(message, sink, new GrainNotFoundException(error));
            return;
        }
        Route(message, sink, new GrainId(grainClass.GrainType, message.TargetKey), grainClass, refreshed: false);
    }

    /// <summary>
    /// Sends a request to wherever its grain lives now: also used for requests that were queued on an activation
    /// that deactivated because the grain moved to another silo.
    /// </summary>
    public void Route(Message message, IResponseSink? sink, GrainId grainId, GrainClassInfo grainClass, bool refreshed)
    {
        var view = membership.CurrentView;
        var self = view.Self;
        if (self is null)
        {
            // Not in the table yet (or no cluster at all): nothing to route by.
            DeliverLocally(message, sink, grainId, grainClass, mayCreate: true);
            return;
        }
        var owner = view.OwnerOf(grainId);
        var owned = owner is not null && owner.Equals(self);
        ActivationData? stray = null;
        if (owned || catalog.TryGet(grainId, out stray))
        {
            if (!owned && stray is not null)
            {
                // A local activation of a grain this silo does not own must not keep serving beside the owner's: one
                // created on a view that changed while it was being made would otherwise answer reads from stale
                // memory forever (only a write would find out). Ask it to go; this request waits and follows it.
                stray.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.Migrating,
                    owner is null ? "No active silo owns the grain." : $"The grain belongs to silo {owner} (membership version {view.Version})."));
            }
            // An activation that is still here although the grain moved is finishing its work or deactivating: the
            // request waits for it and then follows the grain, so the new owner never runs beside the old one.
            DeliverLocally(message, sink, grainId, grainClass, mayCreate: owned);
            return;
        }
        if (!refreshed && message.MembershipVersion > view.Version)
        {
            // The sender knows a newer membership than this silo: catch up before deciding, so two silos on
            // different views do not bounce the request between them.
            _ = RouteAfterRefreshAsync(message, sink, grainId, grainClass);
            return;
        }
        if (owner is null)
        {
            Reject(message, sink, new SiloUnavailableException($"No active silo can host {grainId}: membership version {view.Version} has no active silo."));
            return;
        }
        Forwarder.Forward(message, sink, owner, view.Version, grainId, grainClass);
    }

    private async Task RouteAfterRefreshAsync(Message message, IResponseSink? sink, GrainId grainId, GrainClassInfo grainClass)
    {
        try
        {
            await membership.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogRefreshFailed(logger, e);
        }
        Route(message, sink, grainId, grainClass, refreshed: true);
    }

    private void DeliverLocally(Message message, IResponseSink? sink, GrainId grainId, GrainClassInfo grainClass, bool mayCreate)
    {
        if (silo.Status is not (SiloStatus.Active or SiloStatus.ShuttingDown) || silo.IsKilled)
        {
            Reject(message, sink, new SiloUnavailableException($"Silo {silo.Name} is {silo.Status} and does not accept requests."));
            return;
        }
        if (!GrainInterfaceRegistry.TryGet(message.MethodInterfaceId, out var methodInterface)
            || methodInterface.CreateInvokable(message.MethodId) is not { } invokable)
        {
            Reject(message, sink, new GrainNotFoundException($"Grain interface {DescribeInterface(message.MethodInterfaceId)} has no method with id {message.MethodId:x8}."));
            return;
        }
        if (Array.IndexOf(grainClass.Interfaces, methodInterface.InterfaceType) < 0)
        {
            Reject(message, sink, new GrainNotFoundException($"Grain type '{grainClass.GrainType}' does not implement {methodInterface.Alias}."));
            return;
        }
        try
        {
            invokable.ReadArguments(new WireReader(message.Body, references));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Reject(message, sink, new MessageRejectedException($"Arguments of {methodInterface.Alias}.{invokable.MethodName} do not deserialize: {e.Message}"));
            return;
        }
        var deadline = long.MaxValue;
        if (message.TimeoutMs > 0)
        {
            // Expire well before the caller gives up (a quarter of the timeout, at most a second), so the callers up
            // the chain get the silo's explanation rather than a bare timeout, even on a loaded machine.
            var margin = Math.Min(message.TimeoutMs / 4, 1000);
            deadline = Environment.TickCount64 + message.TimeoutMs - margin;
        }
        var item = new RequestWorkItem(message, invokable, sink, silo.Name) { Deadline = deadline };
        catalog.Deliver(grainId, grainClass, item, mayCreate);
    }

    /// <summary>Answers a request with an error; used for requests that never reached a grain.</summary>
    public void Reject(Message request, IResponseSink? sink, Exception error)
    {
        LogRejected(logger, request.DescribeTarget(), error.Message);
        if (sink is null)
        {
            return;
        }
        var response = new Message { Kind = MessageKind.Response, RequestId = request.RequestId, SiloName = silo.Name };
        RemoteExceptionMapper.Fill(response, error);
        sink.SendResponse(response);
    }

    private static string DescribeInterface(uint id) => GrainInterfaceRegistry.TryGet(id, out var info) ? info.Alias : $"id {id:x8}";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rejected request for {Target}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-reading the membership table before routing failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception error);
}
