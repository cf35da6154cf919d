using System.Diagnostics;

namespace Flo.Dataflow;

/// <summary>
/// Traces of flow runs (ActivitySource <see cref="SourceName"/>). A run's start is a span (<see cref="RunSpan"/>) whose
/// context is stored with the run, so every node generation, on whichever silo or worker and after any silo loss, is a
/// child of it: the worker's execution of the node's code (<see cref="NodeRunSpan"/>, one per attempt, with the code's
/// own spans beneath it) and the node grain's generation from stored to applied (<see cref="GenerationSpan"/>, one per
/// generation). Export them by adding the source to a tracer provider (silos do: <c>FloTelemetry</c>).
/// </summary>
public static class FlowTracing
{
    /// <summary>The ActivitySource name: <c>Flo.Dataflow</c>.</summary>
    public const string SourceName = "Flo.Dataflow";

    /// <summary>Operation name of a run's start span: the parent of every node span of the run.</summary>
    public const string RunSpan = "flow.run";

    /// <summary>Operation name of one execution of a node generation's code on a worker.</summary>
    public const string NodeRunSpan = "flow.node.run";

    /// <summary>Operation name of one node generation in its grain, from stored to applied, failed or stopped.</summary>
    public const string GenerationSpan = "flow.node.generation";

    /// <summary>Tag names.</summary>
    public const string NamespaceTag = "flo.namespace", RunIdTag = "flo.flow.run_id", FlowTag = "flo.flow.name", NodeTag = "flo.flow.node",
        NodeTypeTag = "flo.flow.node_type", GenerationTag = "flo.flow.generation", AttemptTag = "flo.flow.attempt", OutcomeTag = "flo.flow.outcome",
        ActionRunTag = "flo.action.run_id";

    /// <summary>The source the platform's flow spans are started from.</summary>
    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>
    /// Records a run's start as a span (a child of the caller's trace, which Orleans carries into the run's grain) and
    /// returns the context to store with the run: the span's, else the caller's, else a fresh one (so the spans of a
    /// worker that listens while the silo does not still share one trace).
    /// </summary>
    public static (string TraceParent, string? TraceState) StartRun(string ns, string runId, string flow, int nodes)
    {
        using var span = Source.HasListeners() ? Source.StartActivity(RunSpan, ActivityKind.Internal) : null;
        if (span is not null)
        {
            span.DisplayName = $"{RunSpan} {flow}";
            span.SetTag(NamespaceTag, ns);
            span.SetTag(RunIdTag, runId);
            span.SetTag(FlowTag, flow);
            span.SetTag("flo.flow.nodes", nodes);
        }
        var context = span?.Context ?? Activity.Current?.Context
            ?? new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var flags = context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00";
        return ($"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{flags}", string.IsNullOrEmpty(context.TraceState) ? null : context.TraceState);
    }

    /// <summary>
    /// The parent context stored with a run (<paramref name="traceParent"/> in W3C <c>traceparent</c> form), or
    /// default when there is none or it does not parse.
    /// </summary>
    public static ActivityContext Parent(string? traceParent, string? traceState)
        => traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;

    /// <summary>
    /// Starts a node span (a child of the run's stored context), or returns null when nobody listens. Tags: namespace,
    /// run, node, generation.
    /// </summary>
    public static Activity? StartNodeSpan(string operation, string? traceParent, string? traceState, string ns, string runId, string node, int generation, DateTimeOffset startTime = default)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity(operation, ActivityKind.Internal, Parent(traceParent, traceState), startTime: startTime);
        if (activity is null)
        {
            return null;
        }
        activity.DisplayName = $"{operation} {node}";
        activity.SetTag(NamespaceTag, ns);
        activity.SetTag(RunIdTag, runId);
        activity.SetTag(NodeTag, node);
        activity.SetTag(GenerationTag, generation);
        return activity;
    }

    /// <summary>Ends a node span with its outcome (<c>completed</c>, <c>failed</c>, <c>cancelled</c>); an error sets the span's status.</summary>
    public static void End(Activity? activity, string outcome, string? error = null, DateTimeOffset endTime = default)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag(OutcomeTag, outcome);
        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Length > 256 ? error[..256] : error);
        }
        if (endTime != default)
        {
            activity.SetEndTime(endTime.UtcDateTime);
        }
        activity.Stop();
    }
}
