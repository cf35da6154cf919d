using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flo.Errors;
using Flo.Invocation;
using Flo.Messaging;
using Flo.Serialization;

namespace Flo.Runtime;

/// <summary>
/// What external clients and silos share when they call grains: proxies, request messages with trace context and
/// call chain, pending-call bookkeeping with timeouts, and decoding results into values or typed exceptions.
/// Subclasses decide where a request goes (<see cref="SendAsync"/>).
/// </summary>
public abstract class RuntimeClientBase : IGrainCallInvoker, IGrainFactory, IGrainReferenceActivator, IDisposable
{
    [ThreadStatic]
    private static WireWriter? cachedWriter;

    private readonly ActivitySource activitySource;
    private readonly Counter<long>? calls;
    private readonly Histogram<double>? duration;

    /// <summary>Creates the base.</summary>
    protected RuntimeClientBase(ActivitySource activitySource, TimeSpan responseTimeout, Counter<long>? calls = null, Histogram<double>? duration = null)
    {
        this.activitySource = activitySource;
        this.calls = calls;
        this.duration = duration;
        ResponseTimeout = responseTimeout;
        // Timeouts are reported at most a tenth of the timeout (and never more than 100 ms) late.
        var sweep = TimeSpan.FromMilliseconds(Math.Clamp(responseTimeout.TotalMilliseconds / 10, 10, 100));
        Callbacks = new CallbackRegistry(sweep);
    }

    /// <summary>How long a call waits for its response.</summary>
    public TimeSpan ResponseTimeout { get; }

    /// <summary>Pending calls.</summary>
    protected CallbackRegistry Callbacks { get; }

    /// <summary>Routes a request (or one-way message when <paramref name="call"/> is null).</summary>
    protected abstract ValueTask SendAsync(Message message, PendingCall? call);

    /// <inheritdoc/>
    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        return (TGrainInterface)(object)GrainInterface<TGrainInterface>.Info.CreateProxy(this, key);
    }

    /// <inheritdoc/>
    public TGrainInterface GetGrain<TGrainInterface>(Guid key) where TGrainInterface : IGrainWithGuidKey
        => (TGrainInterface)(object)GrainInterface<TGrainInterface>.Info.CreateProxy(this, GrainId.KeyOf(key));

    /// <inheritdoc/>
    public TGrainInterface GetGrain<TGrainInterface>(long key) where TGrainInterface : IGrainWithIntegerKey
        => (TGrainInterface)(object)GrainInterface<TGrainInterface>.Info.CreateProxy(this, GrainId.KeyOf(key));

    /// <inheritdoc/>
    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IGrain
    {
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is empty.", nameof(grainId));
        }
        return (TGrainInterface)(object)GrainInterface<TGrainInterface>.Info.CreateProxy(this, grainId.Key).WithGrainType(grainId.Type);
    }

    /// <inheritdoc/>
    public GrainReference CreateReference(uint interfaceId, string key)
    {
        if (!GrainInterfaceRegistry.TryGet(interfaceId, out var info))
        {
            throw new SerializationException($"Unknown grain interface id {interfaceId:x8} in a grain reference.");
        }
        return info.CreateProxy(this, key);
    }

    /// <inheritdoc/>
    public async Task<T> InvokeAsync<T>(GrainReference target, IInvokable request, CancellationToken cancellationToken)
    {
        var response = await CallAsync(target, request, cancellationToken).ConfigureAwait(false);
        var reader = new WireReader(response.Body, this);
        if (reader.IsAtEnd)
        {
            throw new SerializationException($"Empty result from {request.Interface.Alias}.{request.MethodName}.");
        }
        var (_, wireType) = reader.ReadTag();
        return Codec<T>.Instance.ReadValue(reader, wireType);
    }

    /// <inheritdoc/>
    public Task InvokeAsync(GrainReference target, IInvokable request, CancellationToken cancellationToken)
        => CallAsync(target, request, cancellationToken);

    /// <inheritdoc/>
    public void InvokeOneWay(GrainReference target, IInvokable request)
    {
        var message = CreateMessage(target, request, MessageKind.OneWay, Activity.Current);
        _ = SendOneWayAsync(message);
    }

    private async Task SendOneWayAsync(Message message)
    {
        try
        {
            await SendAsync(message, null).ConfigureAwait(false);
        }
        catch
        {
            // One-way calls have no one to report to; the silo logs what it drops.
        }
    }

    private async Task<Message> CallAsync(GrainReference target, IInvokable request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        using var activity = activitySource.StartActivity($"{request.Interface.Alias}/{request.MethodName}", ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("rpc.system", "flo");
            activity.SetTag("rpc.service", request.Interface.Alias);
            activity.SetTag("rpc.method", request.MethodName);
            activity.SetTag("flo.grain.key", target.Key);
        }
        var message = CreateMessage(target, request, MessageKind.Request, activity ?? Activity.Current);
        var call = Callbacks.Register(ResponseTimeout, target.ToString(), $"{request.Interface.Alias}.{request.MethodName}", null);
        message.RequestId = call.RequestId;
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((CallbackRegistry)((object[])state!)[0]).Cancel((long)((object[])state)[1], token), new object[] { Callbacks, call.RequestId })
            : default;
        var status = "ok";
        try
        {
            try
            {
                await SendAsync(message, call).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Callbacks.Fail(call.RequestId, e);
            }
            var response = await call.Task.ConfigureAwait(false);
            if (response.Status != ResponseStatus.Ok)
            {
                status = response.Status.ToString();
                throw RemoteExceptionMapper.ToException(response);
            }
            return response;
        }
        catch (Exception e)
        {
            if (status == "ok")
            {
                status = e is OperationCanceledException ? "canceled" : e.GetType().Name;
            }
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            registration.Dispose();
            if (calls is not null)
            {
                var tags = new TagList { { "rpc.service", request.Interface.Alias }, { "rpc.method", request.MethodName }, { "status", status } };
                calls.Add(1, tags);
                duration?.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
            }
        }
    }

    private Message CreateMessage(GrainReference target, IInvokable request, MessageKind kind, Activity? activity)
    {
        var writer = cachedWriter ??= new WireWriter(1024);
        writer.Reset();
        request.WriteArguments(writer);
        var body = writer.ToArray();
        if (writer.Length > 64 * 1024)
        {
            // Do not keep a huge buffer alive on this thread.
            cachedWriter = null;
            writer.Dispose();
        }
        var message = new Message
        {
            Kind = kind,
            TargetInterfaceId = target.Interface.Id,
            TargetKey = target.Key,
            TargetGrainType = target.GrainType,
            MethodInterfaceId = request.Interface.Id,
            MethodId = request.MethodId,
            Flags = request.Flags,
            TimeoutMs = (int)Math.Min(int.MaxValue, ResponseTimeout.TotalMilliseconds),
            CallChain = RequestContext.CallChain,
            Body = body,
        };
        if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
        {
            message.TraceParent = activity.Id;
            message.TraceState = activity.TraceStateString;
        }
        return message;
    }

    /// <summary>Stops timeout tracking.</summary>
    public virtual void Dispose()
    {
        Callbacks.FailAll(c => new SiloUnavailableException($"The runtime client was disposed while {c.Method} on {c.Target} was pending."));
        Callbacks.Dispose();
        GC.SuppressFinalize(this);
    }
}
