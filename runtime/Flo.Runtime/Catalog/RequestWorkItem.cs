using System.Diagnostics;
using Flo.Diagnostics;
using Flo.Errors;
using Flo.Invocation;
using Flo.Messaging;
using Flo.Runtime.Messaging;
using Flo.Runtime.Telemetry;
using Flo.Serialization;

namespace Flo.Runtime.Catalog;

/// <summary>A grain call queued on an activation: runs the invokable, writes the result, sends the response.</summary>
internal sealed class RequestWorkItem(Message message, IInvokable invokable, IResponseSink? sink, string siloName) : ActivationWorkItem
{
    public Message Message { get; } = message;

    public IInvokable Invokable { get; } = invokable;

    /// <summary>Where the response goes (null for one-way calls); kept so the request can be rerouted.</summary>
    public IResponseSink? Sink { get; } = sink;

    public override bool AlwaysInterleave => (Invokable.Flags & InvokeFlags.AlwaysInterleave) != 0;

    public override bool IsReadOnly => (Invokable.Flags & InvokeFlags.ReadOnly) != 0;

    public override string Description => $"{Invokable.Interface.Alias}.{Invokable.MethodName}";

    public override async Task RunAsync(ActivationData activation)
    {
        var started = Stopwatch.GetTimestamp();
        var activity = StartActivity(activation);
        RequestContext.Enter(Message.CallChain, activation.GrainId, Invokable.MethodName);
        var result = new WireWriter(256);
        Message? response = null;
        try
        {
            await Invokable.InvokeAsync(activation.GrainInstance!, result, CancellationToken.None);
            // A successful response does not name the silo: only failures are explained with it.
            response = new Message { Kind = MessageKind.Response, RequestId = Message.RequestId };
            response.Body = result.ToArray();
        }
        catch (Exception e)
        {
            response = NewResponse();
            RemoteExceptionMapper.FillExecuted(response, e);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
        }
        finally
        {
            result.Dispose();
            RequestContext.Exit();
            RuntimeInstruments.RecordCall(Invokable, response?.Status ?? ResponseStatus.ApplicationError, Stopwatch.GetElapsedTime(started));
            // The span ends before the response leaves, so a caller that sees the response also sees the span.
            activity?.Dispose();
            if (response is not null)
            {
                Sink?.SendResponse(response);
            }
            activation.OnWorkItemCompleted(this);
        }
    }

    private Activity? StartActivity(ActivationData activation)
    {
        if (!FloDiagnostics.RuntimeSource.HasListeners())
        {
            return null;
        }
        ActivityContext.TryParse(Message.TraceParent, Message.TraceState, isRemote: true, out var parent);
        var activity = FloDiagnostics.RuntimeSource.StartActivity($"{Invokable.Interface.Alias}/{Invokable.MethodName}", ActivityKind.Server, parent);
        if (activity is not null)
        {
            activity.SetTag("rpc.system", "flo");
            activity.SetTag("rpc.service", Invokable.Interface.Alias);
            activity.SetTag("rpc.method", Invokable.MethodName);
            activity.SetTag("flo.grain.id", activation.GrainId.ToString());
            activity.SetTag("flo.silo", siloName);
        }
        return activity;
    }

    private Message NewResponse() => new() { Kind = MessageKind.Response, RequestId = Message.RequestId, SiloName = siloName };

    public override void Reject(ResponseStatus status, Exception error)
    {
        RuntimeInstruments.RecordCall(Invokable, status, TimeSpan.Zero);
        if (Sink is null)
        {
            return;
        }
        var response = NewResponse();
        RemoteExceptionMapper.Fill(response, error);
        response.Status = status;
        Sink.SendResponse(response);
    }
}
