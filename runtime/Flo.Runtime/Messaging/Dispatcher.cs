using Flo.Errors;
using Flo.Invocation;
using Flo.Messaging;
using Flo.Runtime.Catalog;
using Flo.Runtime.Hosting;
using Flo.Serialization;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Messaging;

/// <summary>
/// Turns an incoming request (from a gateway connection or from a grain of this silo) into a work item on the right
/// activation. Everything that can be wrong with a request (unknown interface, method or grain type, arguments that
/// do not deserialize, silo not active) is answered with an error response; nothing here throws at the caller.
/// </summary>
internal sealed partial class Dispatcher(
    GrainTypeManifest manifest,
    Catalog.Catalog catalog,
    SiloDetails silo,
    IGrainReferenceActivator references,
    ILogger<Dispatcher> logger)
{
    public void ReceiveRequest(Message message, IResponseSink? sink)
    {
        if (message.Kind == MessageKind.OneWay)
        {
            sink = null;
        }
        if (!silo.IsActive)
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
        catalog.Deliver(new GrainId(grainClass.GrainType, message.TargetKey), grainClass, item);
    }

    private void Reject(Message request, IResponseSink? sink, Exception error)
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
}
