using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flo.Errors;
using Flo.Invocation;
using Flo.Messaging;
using Flo.Serialization;

namespace Flo.Runtime;

/// <summary>
/// What external clients and silos share when they call grains: proxies, request messages with trace context and
/// call chain, pending-call bookkeeping with timeouts, decoding results into values or typed exceptions, and resending
/// failed calls where that is safe (never sent, answered Unavailable, or idempotent/read-only after a lost connection)
/// within the response timeout. Subclasses decide where a request goes (<see cref="SendAsync(Message, PendingCall)"/>)
/// and whether to retry at all (<see cref="MaxRetries"/>).
/// </summary>
public abstract class RuntimeClientBase : IGrainCallInvoker, IGrainFactory, IGrainReferenceActivator, IDisposable
{
    [ThreadStatic]
    private static WireWriter? cachedWriter;

    private readonly ActivitySource activitySource;
    private readonly Counter<long>? calls;
    private readonly Histogram<double>? duration;
    private volatile bool disposed;

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
    /// <remarks>
    /// Throw <see cref="SiloUnavailableException"/> with <c>mayHaveExecuted: false</c> when the request certainly was
    /// not sent, so that any call can be resent; fail a pending call that was sent and lost with <c>true</c>.
    /// </remarks>
    protected abstract ValueTask SendAsync(Message message, PendingCall? call);

    /// <summary>Routes a request on behalf of a caller whose <paramref name="cancellationToken"/> may stop a wait (e.g. connecting).</summary>
    protected virtual ValueTask SendAsync(Message message, PendingCall call, CancellationToken cancellationToken) => SendAsync(message, call);

    /// <summary>
    /// How many times a failed call is resent when that is safe. Default 0 (never): a subclass that can reach another
    /// silo or gateway sets it.
    /// </summary>
    protected int MaxRetries { get; init; }

    /// <summary>Delay before the first resend; doubled for each further one up to <see cref="MaxRetryBackoff"/>.</summary>
    protected TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest delay between two attempts.</summary>
    protected TimeSpan MaxRetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether failed calls may still be resent (false once the client is being disposed).</summary>
    protected virtual bool CanRetry => !disposed;

    /// <summary>
    /// Called before a call is resent, with the attempt that failed and, when the silo answered
    /// <see cref="ResponseStatus.Unavailable"/>, that response; lets a subclass steer the next attempt elsewhere.
    /// </summary>
    protected virtual void OnRetrying(PendingCall failedCall, Message? unavailableResponse)
    {
    }

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
        // The name is formatted only when someone listens: this runs for every call.
        using var activity = activitySource.HasListeners() ? activitySource.StartActivity($"{request.Interface.Alias}/{request.MethodName}", ActivityKind.Client) : null;
        if (activity is not null)
        {
            activity.SetTag("rpc.system", "flo");
            activity.SetTag("rpc.service", request.Interface.Alias);
            activity.SetTag("rpc.method", request.MethodName);
            activity.SetTag("flo.grain.key", target.Key);
        }
        var message = CreateMessage(target, request, MessageKind.Request, activity ?? Activity.Current);
        // Every attempt and every backoff share one budget: the caller never waits longer than the response timeout.
        var deadline = Environment.TickCount64 + (long)ResponseTimeout.TotalMilliseconds;
        var attempts = 0;
        var mayHaveExecuted = false;
        var status = "ok";
        try
        {
            while (true)
            {
                attempts++;
                var call = Callbacks.Register(ResponseTimeout, deadline, target, request, null);
                message.RequestId = call.RequestId;
                var registration = cancellationToken.CanBeCanceled
                    ? cancellationToken.UnsafeRegister(static (state, token) => ((CallbackRegistry)((object[])state!)[0]).Cancel((long)((object[])state)[1], token), new object[] { Callbacks, call.RequestId })
                    : default;
                Message? response = null;
                SiloUnavailableException? lost = null;
                var sent = false;
                try
                {
                    try
                    {
                        await SendAsync(message, call, cancellationToken).ConfigureAwait(false);
                        sent = true;
                    }
                    catch (Exception e)
                    {
                        Callbacks.Fail(call.RequestId, e);
                    }
                    response = await call.Task.ConfigureAwait(false);
                }
                catch (SiloUnavailableException e)
                {
                    // Raised on this side: the request was not sent, or its connection was lost while it was pending.
                    lost = e;
                }
                catch (GrainCallTimeoutException) when (!sent)
                {
                    // The budget ran out while the sender was still connecting, and then it gave up: the request never
                    // left this process, which a bare timeout would not say.
                    lost = new SiloUnavailableException("The response timeout ran out before the request could be sent.", mayHaveExecuted: false);
                }
                finally
                {
                    registration.Dispose();
                }

                if (response is not null)
                {
                    if (response.Status == ResponseStatus.Ok)
                    {
                        return response;
                    }
                    if (response.Status != ResponseStatus.Unavailable)
                    {
                        status = response.Status.ToString();
                        throw RemoteExceptionMapper.ToException(response);
                    }
                }
                var failure = lost ?? (SiloUnavailableException)RemoteExceptionMapper.ToException(response!);
                mayHaveExecuted |= failure.MayHaveExecuted;
                var verdict = RetryVerdict(request.Flags, failure, attempts, deadline, out var backoff);
                if (verdict is not null)
                {
                    status = response is null ? "unreachable" : ResponseStatus.Unavailable.ToString();
                    throw new SiloUnavailableException(DescribeFailure(call, response, failure, verdict, mayHaveExecuted), mayHaveExecuted, failure);
                }
                OnRetrying(call, response);
                activity?.AddEvent(new ActivityEvent("flo.retry", tags: new ActivityTagsCollection { { "flo.attempt", attempts + 1 }, { "flo.reason", failure.Message } }));
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    status = "unreachable";
                    throw new SiloUnavailableException(DescribeFailure(call, response, failure, OutOfTime(attempts), mayHaveExecuted), mayHaveExecuted, failure);
                }
                // A fresh message per attempt: the old one may still sit in a dying connection's write queue.
                message = CopyForRetry(message, (int)remaining);
            }
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
            if (calls is not null)
            {
                var tags = new TagList { { "rpc.service", request.Interface.Alias }, { "rpc.method", request.MethodName }, { "status", status } };
                calls.Add(1, tags);
                duration?.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
            }
        }
    }

    /// <summary>
    /// Null when the call may be resent (with the delay to wait first); otherwise why not. A request that certainly
    /// never started may always be resent; one that may have run only when running it twice is harmless.
    /// </summary>
    private string? RetryVerdict(InvokeFlags flags, SiloUnavailableException failure, int attempts, long deadline, out TimeSpan backoff)
    {
        backoff = TimeSpan.Zero;
        if (failure.MayHaveExecuted && (flags & (InvokeFlags.Idempotent | InvokeFlags.ReadOnly)) == 0)
        {
            return "The request may have executed, so it was not resent: the method is neither [Idempotent] nor [ReadOnly].";
        }
        if (!CanRetry)
        {
            return "The client is shutting down.";
        }
        if (attempts > MaxRetries)
        {
            return MaxRetries == 0 ? "Retries are disabled." : $"Gave up after {attempts} attempts.";
        }
        // Exponential: base, 2 x base, 4 x base... capped so a long outage still gets several tries in the budget.
        var shift = Math.Min(attempts - 1, 16);
        backoff = TimeSpan.FromTicks(Math.Min(RetryBackoff.Ticks << shift, MaxRetryBackoff.Ticks));
        return Environment.TickCount64 + (long)backoff.TotalMilliseconds >= deadline ? OutOfTime(attempts) : null;
    }

    private string OutOfTime(int attempts)
        => $"Gave up after {attempts} attempt{(attempts == 1 ? "" : "s")}: the {ResponseTimeout.TotalSeconds:0.###} s response timeout leaves no time for another.";

    private static string DescribeFailure(PendingCall call, Message? response, SiloUnavailableException failure, string verdict, bool mayHaveExecuted)
    {
        var via = response?.SiloName is { } silo ? $" on silo {silo}" : call.Destination is { } destination ? $" via {destination}" : "";
        var outcome = mayHaveExecuted ? "It may have executed." : "It did not execute.";
        return $"Call {call.Method} on grain {call.Target}{via} failed: {failure.Message} {verdict} {outcome}";
    }

    private static Message CopyForRetry(Message m, int timeoutMs) => new()
    {
        Kind = m.Kind,
        TargetInterfaceId = m.TargetInterfaceId,
        TargetKey = m.TargetKey,
        TargetGrainType = m.TargetGrainType,
        MethodInterfaceId = m.MethodInterfaceId,
        MethodId = m.MethodId,
        Flags = m.Flags,
        TimeoutMs = Math.Max(1, timeoutMs),
        CallChain = m.CallChain,
        TraceParent = m.TraceParent,
        TraceState = m.TraceState,
        Body = m.Body,
    };

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
        disposed = true;
        Callbacks.FailAll(c => new SiloUnavailableException($"The runtime client was disposed while {c.Method} on {c.Target} was pending."));
        Callbacks.Dispose();
        GC.SuppressFinalize(this);
    }
}
