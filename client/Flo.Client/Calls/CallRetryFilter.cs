using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Flo.Calls;

/// <summary>
/// The client's retry policy, as an Orleans outgoing grain call filter (registered by <see cref="FloClientDefaults.Apply"/>
/// on every client <see cref="FloClient"/> creates). Orleans never resends a call; this filter resends what is safe
/// within the call's deadline and says when a failed call may have executed.
/// </summary>
/// <remarks>
/// <para><b>Rules</b> (failure kinds: <see cref="CallFailure"/>):</para>
/// <list type="number">
/// <item>A call that was never sent or was rejected unexecuted (no gateway, connection refused, rejection by the
/// messaging layer, gateway too busy) is resent, whatever the method, until it is accepted or the deadline passes;
/// then <see cref="ClusterUnavailableException"/> (nothing ran).</item>
/// <item>A call to a <c>[ReadOnly]</c> or <c>[Idempotent]</c> method that may have executed (timeout, lost connection,
/// silo unavailable) is resent the same way; when the deadline passes, <see cref="CallOutcomeUnknownException"/> with
/// <see cref="CallOutcomeUnknownException.IsIdempotent"/> set.</item>
/// <item>Any other call that may have executed is not resent: <see cref="CallOutcomeUnknownException"/> at once, naming
/// the grain and method, with Orleans' exception as <see cref="Exception.InnerException"/>.</item>
/// <item>Answers from the grain (its exceptions) pass through untouched.</item>
/// </list>
/// <para><b>Deadline</b>: <see cref="FloRetryOptions.Deadline"/> after the call began (default twice the response
/// timeout), or the caller's token (<see cref="CallScope"/>), or client shutdown, whichever comes first. No attempt
/// starts after it. Backoff: <see cref="FloRetryOptions.InitialBackoff"/> doubling to <see cref="FloRetryOptions.MaxBackoff"/>,
/// each wait drawn uniformly from its upper half (jitter), and never past the deadline.</para>
/// <para><b>Why a filter can resend</b>: <c>OutgoingCallInvoker.Invoke()</c> (src/Orleans.Core/Runtime/OutgoingCallInvoker.cs)
/// advances a stage counter and puts it back in a <c>finally</c>, so calling <c>context.Invoke()</c> again after an attempt
/// <i>completed</i> runs the rest of the pipeline again: the root stage takes a fresh response completion source and
/// <c>OutsideRuntimeClient.SendRequest</c> builds a new message (new correlation id, new callback, the same request
/// body serialized again; the client never disposes or mutates the request). What is not safe is to abandon an
/// attempt still in progress and start another: the abandoned one would later move the stage counter under the new
/// one. So every attempt here runs to its end (response, rejection or response timeout) before the next starts.</para>
/// <para>Not covered: calls made from inside grains (the silo's own semantics apply) and calls to system targets
/// (Orleans' internal traffic); one-way calls complete when sent.</para>
/// </remarks>
internal sealed partial class CallRetryFilter : IOutgoingGrainCallFilter
{
    /// <summary>The meter of the client (<c>Flo.Client</c>).</summary>
    public static readonly Meter Meter = new("Flo.Client");

    private static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "flo.client.call.retries", unit: "{retry}", description: "Grain calls resent by the client, by reason (not_executed, idempotent), interface and method.");

    private static readonly Counter<long> OutcomeUnknownCalls = Meter.CreateCounter<long>(
        "flo.client.call.outcome_unknown", unit: "{call}", description: "Grain calls that failed after they may have executed and were not resent.");

    private readonly FloRetryOptions retry;
    private readonly TimeSpan deadline;
    private readonly ILogger logger;
    private readonly CancellationToken stopping;

    public CallRetryFilter(FloClientOptions options, ILogger<CallRetryFilter> logger, IHostApplicationLifetime? lifetime = null)
    {
        retry = options.Retry;
        deadline = retry.Deadline ?? options.ResponseTimeout * 2;
        this.logger = logger;
        stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var method = MethodSafety.Of(context.InterfaceMethod);
        if ((method & MethodSafety.Kind.OneWay) != 0 || !Wraps(context))
        {
            await context.Invoke().ConfigureAwait(false);
            return;
        }

        var idempotent = (method & MethodSafety.Kind.Idempotent) != 0;
        var caller = CallScope.Current;
        // A waiting call ([ResponseTimeout] longer than the client's) gets the same two response timeouts to be resent
        // in: a safe blocking read whose answer was lost with a leaving silo is asked again, not given up.
        var callDeadline = context.Request.GetDefaultResponseTimeout() is { } own && own * 2 > deadline ? own * 2 : deadline;
        var started = Stopwatch.GetTimestamp();
        var backoff = retry.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            CallFailure.Kind kind;
            try
            {
                await context.Invoke().ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when ((kind = CallFailure.Classify(exception)) != CallFailure.Kind.Definitive)
            {
                if (kind == CallFailure.Kind.MaybeExecuted && !idempotent)
                {
                    OutcomeUnknownCalls.Add(1);
                    throw Unknown(context, idempotent, exception);
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                var wait = Jitter(backoff);
                if (caller.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The caller cancelled the call before it could be resent.", exception, caller);
                }
                if (!retry.Enabled || wait >= callDeadline - elapsed || stopping.IsCancellationRequested)
                {
                    if (kind == CallFailure.Kind.NotExecuted)
                    {
                        throw new ClusterUnavailableException(context.TargetId.ToString(), context.InterfaceName, context.MethodName, attempt, elapsed, exception);
                    }
                    OutcomeUnknownCalls.Add(1);
                    throw Unknown(context, idempotent, exception);
                }

                LogResending(logger, context.InterfaceName, context.MethodName, context.TargetId, attempt, wait.TotalMilliseconds, exception.GetType().Name, exception.Message);
                Retries.Add(1, new TagList
                {
                    { "reason", kind == CallFailure.Kind.NotExecuted ? "not_executed" : "idempotent" },
                    { "interface", context.InterfaceName },
                    { "method", context.MethodName },
                });
                await DelayAsync(wait, caller).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, retry.MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Only calls from outside grains to grains (not system targets) are the client's to handle.</summary>
    private static bool Wraps(IOutgoingGrainCallContext context)
        => !context.TargetId.IsSystemTarget()
           && (context.SourceId is not { } source || source.IsClient());

    private static CallOutcomeUnknownException Unknown(IOutgoingGrainCallContext context, bool idempotent, Exception exception)
        => new(context.TargetId.ToString(), context.InterfaceName, context.MethodName, idempotent, exception);

    /// <summary>A wait drawn uniformly from the upper half of <paramref name="backoff"/> ("equal jitter").</summary>
    private static TimeSpan Jitter(TimeSpan backoff)
        => TimeSpan.FromTicks(backoff.Ticks / 2 + Random.Shared.NextInt64(backoff.Ticks / 2 + 1));

    private async Task DelayAsync(TimeSpan wait, CancellationToken caller)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(caller, stopping);
        try
        {
            await Task.Delay(wait, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (caller.IsCancellationRequested)
        {
            throw new OperationCanceledException("The caller cancelled the call while it waited to be resent.", caller);
        }
        catch (OperationCanceledException)
        {
            throw new OperationCanceledException("The client is shutting down.", stopping);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resending {Interface}.{Method} to {Grain} (attempt {Attempt} failed) in {WaitMs:0} ms: {ExceptionType}: {ExceptionMessage}")]
    private static partial void LogResending(ILogger logger, string @interface, string method, GrainId grain, int attempt, double waitMs, string exceptionType, string exceptionMessage);
}
