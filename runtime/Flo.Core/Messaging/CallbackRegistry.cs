using System.Collections.Concurrent;

namespace Flo.Messaging;

/// <summary>A request waiting for its response.</summary>
public sealed class PendingCall
{
    private readonly TaskCompletionSource<Message> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Target and method are described only when an error needs them: formatting them for every call cost more than
    // the rest of registering it.
    private readonly object target;
    private readonly object method;

    internal PendingCall(long requestId, long deadline, TimeSpan timeout, object target, object method, object? route)
    {
        RequestId = requestId;
        Timeout = timeout;
        Deadline = deadline;
        this.target = target;
        this.method = method;
        Route = route;
    }

    /// <summary>The request id.</summary>
    public long RequestId { get; }

    /// <summary>The response timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Environment.TickCount64 after which the call times out.</summary>
    public long Deadline { get; }

    /// <summary>The target grain, for errors.</summary>
    public string Target => target.ToString() ?? "";

    /// <summary>The method, for errors.</summary>
    public string Method => method is Flo.Invocation.IInvokable request ? $"{request.Interface.Alias}.{request.MethodName}" : method.ToString() ?? "";

    /// <summary>Where the request was sent (a connection, a silo), so a lost route fails its calls at once.</summary>
    public object? Route { get; set; }

    /// <summary>Who the call is waiting on, for errors; set by the sender.</summary>
    public string? Destination { get; set; }

    /// <summary>Completes with the response.</summary>
    public Task<Message> Task => completion.Task;

    internal bool TryComplete(Message response) => completion.TrySetResult(response);

    internal bool TryFail(Exception error) => completion.TrySetException(error);

    internal bool TryCancel(CancellationToken token) => completion.TrySetCanceled(token);
}

/// <summary>
/// Pending requests of one caller (a client or a silo), keyed by request id, with response timeouts enforced by one
/// periodic sweep rather than a timer per call.
/// </summary>
public sealed class CallbackRegistry : IDisposable
{
    private readonly ConcurrentDictionary<long, PendingCall> pending = new();
    private readonly Timer sweep;
    private long nextId;

    /// <summary>Creates the registry; <paramref name="sweepInterval"/> bounds how late a timeout is reported.</summary>
    public CallbackRegistry(TimeSpan sweepInterval)
    {
        sweep = new Timer(static s => ((CallbackRegistry)s!).Sweep(), this, sweepInterval, sweepInterval);
    }

    /// <summary>Number of calls waiting.</summary>
    public int Count => pending.Count;

    /// <summary>Allocates a request id and registers the call.</summary>
    public PendingCall Register(TimeSpan timeout, string target, string method, object? route)
        => Register(timeout, Environment.TickCount64 + (long)timeout.TotalMilliseconds, target, method, route);

    /// <summary>
    /// Registers a call that must end by <paramref name="deadline"/> (<see cref="Environment.TickCount64"/>), e.g. a
    /// resend sharing its first attempt's budget; <paramref name="timeout"/> is the whole budget, for the error.
    /// <paramref name="target"/> and <paramref name="method"/> are put into words only if an error needs them: a grain
    /// reference and an invokable may be passed as they are (formatting them for every call cost more than the rest).
    /// </summary>
    public PendingCall Register(TimeSpan timeout, long deadline, object target, object method, object? route)
    {
        var id = Interlocked.Increment(ref nextId);
        var call = new PendingCall(id, deadline, timeout, target, method, route);
        pending[id] = call;
        return call;
    }

    /// <summary>Completes the call the response answers. Unknown ids (late responses after a timeout) are ignored.</summary>
    public bool TryComplete(Message response)
    {
        return pending.TryRemove(response.RequestId, out var call) && call.TryComplete(response);
    }

    /// <summary>Fails one call.</summary>
    public void Fail(long requestId, Exception error)
    {
        if (pending.TryRemove(requestId, out var call))
        {
            call.TryFail(error);
        }
    }

    /// <summary>Cancels one call (the caller's token fired).</summary>
    public void Cancel(long requestId, CancellationToken token)
    {
        if (pending.TryRemove(requestId, out var call))
        {
            call.TryCancel(token);
        }
    }

    /// <summary>Fails every call sent over <paramref name="route"/> (its connection or silo is gone).</summary>
    public void FailRoute(object route, Func<PendingCall, Exception> error)
    {
        foreach (var (id, call) in pending)
        {
            if (ReferenceEquals(call.Route, route) && pending.TryRemove(id, out _))
            {
                call.TryFail(error(call));
            }
        }
    }

    /// <summary>Fails every call.</summary>
    public void FailAll(Func<PendingCall, Exception> error)
    {
        foreach (var (id, call) in pending)
        {
            if (pending.TryRemove(id, out _))
            {
                call.TryFail(error(call));
            }
        }
    }

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (id, call) in pending)
        {
            if (call.Deadline <= now && pending.TryRemove(id, out _))
            {
                call.TryFail(new GrainCallTimeoutException(
                    $"Call {call.Method} on grain {call.Target} timed out after {call.Timeout.TotalSeconds:0.###} s: no response from {call.Destination ?? "the silo"} (request {id})."));
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => sweep.Dispose();
}
