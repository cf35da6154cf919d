using System.Text.Json;
using Flo.Dataflow;

namespace Flo.Endpoints.Http;

/// <summary>
/// How flow runs look on the wire: snake_case fields, statuses and event kinds in snake_case (<c>limit_reached</c>,
/// <c>node_completed</c>), generations as the seed's tuples (<c>[3]</c>, or <c>[3, 1]</c> for a streamed part), and
/// node values embedded as the JSON they are (not as strings).
/// </summary>
internal static class FlowHttpJson
{
    /// <summary>A stored JSON value as an element of the answer; a value that does not parse (never expected) as a JSON string.</summary>
    public static JsonElement? Value(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }

    /// <summary>A generation as the seed's tuple: <c>[g]</c> or <c>[g, p]</c>.</summary>
    public static int[]? Generation(FlowGeneration? generation)
        => generation is { } g ? g.Part is { } p ? [g.Main, p] : [g.Main] : null;

    public static long? NullIfZero(long ms) => ms == 0 ? null : ms;
}

#pragma warning disable SA1300, IDE1006 // JSON field names are snake_case on the wire.
internal sealed record FlowNodeErrorJson(string node, int generation, string error);

internal sealed record FlowNodeSummaryJson(string name, string node_type, int[]? generation, string status, JsonElement? value, string? error)
{
    public static FlowNodeSummaryJson From(FlowNodeSummary n)
        => new(n.Name, n.NodeType, FlowHttpJson.Generation(n.Generation), ActionHttpApi.Wire(n.Status), FlowHttpJson.Value(n.ValueJson), n.Error);
}

/// <summary>A run in a namespace's listing.</summary>
internal sealed record FlowRunSummaryJson(string run_id, string flow, string status, string? reason, long started_at_ms, long? finished_at_ms)
{
    public static FlowRunSummaryJson From(FlowRunSummary r)
        => new(r.RunId, r.Flow, ActionHttpApi.Wire(r.Status), r.Reason, r.StartedAtMs, FlowHttpJson.NullIfZero(r.FinishedAtMs));
}

/// <summary>A page of a namespace's runs; <c>next_cursor</c> asks for the next (null: no more).</summary>
internal sealed record FlowRunsJson(FlowRunSummaryJson[] runs, string? next_cursor);

internal sealed record FlowRunJson(
    string run_id, string @namespace, string flow, string status, string? reason, string? limit_node, long started_at_ms, long? finished_at_ms,
    FlowNodeErrorJson[] node_errors, FlowNodeSummaryJson[] nodes)
{
    public static FlowRunJson From(FlowRunInfo r) => new(
        r.RunId, r.Namespace, r.Flow, ActionHttpApi.Wire(r.Status), r.Reason, r.LimitNode, r.StartedAtMs, FlowHttpJson.NullIfZero(r.FinishedAtMs),
        [.. r.NodeErrors.Select(e => new FlowNodeErrorJson(e.Node, e.Generation, e.Error))], [.. r.Nodes.Select(FlowNodeSummaryJson.From)]);
}

internal sealed record FlowNodeRunJson(int generation, string? action_run_id, long started_at_ms, long? finished_at_ms, string outcome, int parts)
{
    public static FlowNodeRunJson From(FlowNodeRun r)
        => new(r.Generation, r.ActionRunId, r.StartedAtMs, FlowHttpJson.NullIfZero(r.FinishedAtMs), ActionHttpApi.Wire(r.Outcome), r.Parts);
}

internal sealed record FlowNodeJson(
    string name, string node_type, int[]? generation, int? completed, int? running, string status, JsonElement? value, JsonElement?[] outputs,
    JsonElement? state, string? error, long applied, long discarded, FlowNodeRunJson[] runs)
{
    public static FlowNodeJson From(FlowNodeInfo n) => new(
        n.Name, n.NodeType, FlowHttpJson.Generation(n.Generation), n.Completed < 0 ? null : n.Completed, n.Running, ActionHttpApi.Wire(n.Status),
        FlowHttpJson.Value(n.ValueJson), [.. n.OutputsJson.Select(FlowHttpJson.Value)], FlowHttpJson.Value(n.StateJson), n.Error, n.Applied, n.Discarded,
        [.. n.Runs.Select(FlowNodeRunJson.From)]);
}

internal sealed record FlowNodesJson(FlowNodeJson[] nodes);

/// <summary>A run's event on the wire (one server-sent message each).</summary>
internal sealed record FlowEventJson(long seq, string kind, long at_ms, string? node, int? generation, JsonElement? value, string? error, string status)
{
    public static FlowEventJson From(FlowEvent e)
        => new(e.Seq, ActionHttpApi.Wire(e.Kind), e.AtMs, e.Node, e.Generation, FlowHttpJson.Value(e.ValueJson), e.Error, ActionHttpApi.Wire(e.Status));
}

/// <summary>A rerun's settings; each one left out keeps the original run's.</summary>
internal sealed record FlowRerunJson
{
    public string? run_id { get; init; }

    public int? stop_at { get; init; }

    public Dictionary<string, int>? stop_at_node { get; init; }

    public bool? terminate_on_node_error { get; init; }
}
#pragma warning restore SA1300, IDE1006
