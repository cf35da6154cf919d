using System.Net.ServerSentEvents;
using System.Text.Json;
using Flo.Dataflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints.Http;

/// <summary>
/// Flow runs over HTTP/JSON under <c>/v1/ns/{ns}/flows/runs</c>: the namespace's runs (newest first, by status), and
/// per <c>{run_id}</c> the run (status, why it stopped, every node's generation and last value), its nodes in detail, one
/// node, its events as server-sent events, cancel, rerun and delete. Errors are problem+json (<see cref="HttpProblems"/>):
/// 400 InvalidArgument, 404 FlowRunNotFound/FlowNodeNotFound, 409 FlowRunNotFinished.
/// </summary>
/// <remarks>
/// Flows are <b>started by clients</b> (<c>client.Flow.StartAsync</c>): a flow's node types are .NET functions that
/// only a process hosting them can run, and the client that builds the flow checks its types and cycles before
/// anything is stored. HTTP inspects, watches and cancels any run, and <b>reruns</b> one: a new run of the graph a
/// client started before (checked then, analyzed again now), whose generations run on whatever workers host its node
/// types (they wait while none does). Everything goes through <see cref="FlowApi"/>, the client's operations.
/// </remarks>
internal static class FlowHttpApi
{
    /// <summary>Longest <c>wait_ms</c> of a run read, as for action runs.</summary>
    private const int MaxWaitMs = 300_000;

    public static void Map(IEndpointRouteBuilder routes)
    {
        // Every route may answer 400 (bad namespace, run id or node name), 404 (no such run), 503 and 504.
        var runs = routes.MapGroup("/v1/ns/{ns}/flows/runs").WithTags("flows")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        runs.MapGet("", ListRunsAsync).WithName("FlowRunList")
            .WithSummary("The namespace's flow runs newest first: ?status (running, completed, limit_reached, failed, cancelled), ?limit (1-1000, default 50), ?cursor of the previous page → {runs, next_cursor}.")
            .Produces<FlowRunsJson>();
        runs.MapDelete("/{run_id}", DeleteAsync).WithName("FlowRunDelete")
            .WithSummary("Delete a finished run with its nodes and the values it passed by reference → 204; 409 FlowRunNotFinished while it runs (cancel it first).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapGet("/{run_id}", GetRunAsync).WithName("FlowRunGet")
            .WithSummary("A flow run: status, reason, limit node, node errors, and every node's generation, status and last value; ?wait_ms waits up to that long for it to finish.")
            .Produces<FlowRunJson>();
        runs.MapGet("/{run_id}/nodes", NodesAsync).WithName("FlowNodeList")
            .WithSummary("Every node of the run in detail (definition order): generation, status, value, outputs by port, state, counters of generations applied and reports discarded, recent runs.")
            .Produces<FlowNodesJson>();
        runs.MapGet("/{run_id}/nodes/{node}", NodeAsync).WithName("FlowNodeGet").WithSummary("One node of the run in detail.")
            .Produces<FlowNodeJson>();
        runs.MapGet("/{run_id}/events", EventsAsync).WithName("FlowRunEvents")
            .WithSummary("The run's events as server-sent events (text/event-stream) from its start: one unnamed message per event (JSON, id = its number), a 'ping' while idle; the stream ends after run_finished.")
            .Produces<FlowEventJson>(StatusCodes.Status200OK, "text/event-stream");
        runs.MapPost("/{run_id}/cancel", CancelAsync).WithName("FlowRunCancel")
            .WithSummary("Cancel the run unless it finished (running generations are stopped) → {cancelled}: whether this call cancelled it.")
            .Produces<CancelledJson>();
        runs.MapPost("/{run_id}/rerun", RerunAsync).WithName("FlowRunRerun")
            .WithSummary("Start a new run of the same flow: {run_id, stop_at, stop_at_node: {node: generation}, terminate_on_node_error}, each optional (left out: the original run's; run_id: a new one) → 202 {run_id}. Its node types must be hosted by workers.")
            .Accepts<FlowRerunJson>(isOptional: true, "application/json").Produces<RunIdJson>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static FlowApi Api(HttpContext context) => context.RequestServices.GetRequiredService<FlowApi>();

    private static Task<IResult> ListRunsAsync(HttpContext context, string ns, string? status, int? limit, string? cursor) => HttpJson.RunAsync(async () =>
    {
        // An empty query value (?status=) means no filter, as when it is left out.
        var page = await Api(context).ListRunsAsync(ns, ParseStatus(status), limit ?? 50, string.IsNullOrEmpty(cursor) ? null : cursor, context.RequestAborted);
        return Results.Json(new FlowRunsJson([.. page.Runs.Select(FlowRunSummaryJson.From)], page.NextCursor));
    });

    private static Task<IResult> DeleteAsync(HttpContext context, string ns, string run_id) => HttpJson.RunAsync(async () =>
    {
        await Api(context).DeleteAsync(ns, run_id, context.RequestAborted);
        return Results.NoContent();
    });

    /// <summary>A <c>?status</c> filter: a status's wire name (<c>limit_reached</c>) or its C# name, any case.</summary>
    private static FlowRunStatus? ParseStatus(string? status)
    {
        if (string.IsNullOrEmpty(status))
        {
            return null;
        }
        foreach (var s in Enum.GetValues<FlowRunStatus>())
        {
            if (status.Equals(ActionHttpApi.Wire(s), StringComparison.OrdinalIgnoreCase) || status.Equals(s.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return s;
            }
        }
        var shown = status.Length > 64 ? status[..64] + "..." : status;
        throw new FlowArgumentException($"Status '{shown}' is not one of {string.Join(", ", Enum.GetValues<FlowRunStatus>().Select(ActionHttpApi.Wire))}.");
    }

    private static Task<IResult> GetRunAsync(HttpContext context, string ns, string run_id, int? wait_ms) => HttpJson.RunAsync(async () =>
    {
        var api = Api(context);
        var wait = wait_ms ?? 0;
        if (wait is < 0 or > MaxWaitMs)
        {
            throw new FlowArgumentException($"wait_ms must be 0 to {MaxWaitMs}; got {wait}.");
        }
        FlowRunInfo run;
        try
        {
            run = wait == 0
                ? await api.GetAsync(ns, run_id, context.RequestAborted)
                : await api.WaitAsync(ns, run_id, TimeSpan.FromMilliseconds(wait), context.RequestAborted);
        }
        catch (FlowRunWaitTimeoutException)
        {
            // A read that waited is still a read: the run as it is now (its status says it has not finished).
            run = await api.GetAsync(ns, run_id, context.RequestAborted);
        }
        return Results.Json(FlowRunJson.From(run));
    });

    private static Task<IResult> NodesAsync(HttpContext context, string ns, string run_id) => HttpJson.RunAsync(async () =>
        Results.Json(new FlowNodesJson([.. (await Api(context).NodesAsync(ns, run_id, context.RequestAborted)).Select(FlowNodeJson.From)])));

    private static Task<IResult> NodeAsync(HttpContext context, string ns, string run_id, string node) => HttpJson.RunAsync(async () =>
        Results.Json(FlowNodeJson.From(await Api(context).NodeAsync(ns, run_id, node, context.RequestAborted))));

    private static Task<IResult> CancelAsync(HttpContext context, string ns, string run_id) => HttpJson.RunAsync(async () =>
        Results.Json(new CancelledJson(await Api(context).CancelAsync(ns, run_id, context.RequestAborted))));

    private static Task<IResult> RerunAsync(HttpContext context, string ns, string run_id) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<FlowRerunJson>(context, allowEmpty: true);
        var api = Api(context);
        var original = await api.DefinitionAsync(ns, run_id, context.RequestAborted);
        var runId = body.run_id ?? FlowLimits.NewRunId();
        var start = original with
        {
            StopAt = body.stop_at is { } stopAt ? new FlowGeneration(stopAt) : original.StopAt,
            StopAtNode = body.stop_at_node is { } limits ? limits.ToDictionary(l => l.Key, l => new FlowGeneration(l.Value)) : original.StopAtNode,
            TerminateOnNodeError = body.terminate_on_node_error ?? original.TerminateOnNodeError,
        };
        // Starting an existing id returns that run (the first start's graph and limits hold): a retried request is harmless.
        var run = await api.StartAsync(ns, runId, start, context.RequestAborted);
        return Results.Accepted($"/v1/ns/{ns}/flows/runs/{run.RunId}", new RunIdJson(run.RunId));
    });

    private static Task<IResult> EventsAsync(HttpContext context, string ns, string run_id) => HttpJson.RunAsync(async () =>
    {
        var api = Api(context);
        // Checked before the answer starts, so a missing run is a 404 problem rather than an empty stream.
        await api.GetAsync(ns, run_id, context.RequestAborted);
        return TypedResults.ServerSentEvents(ServerSentEventStream.WithPings(api.WatchAsync(ns, run_id, context.RequestAborted),
            static e => new SseItem<string>(JsonSerializer.Serialize(FlowEventJson.From(e))) { EventId = e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            context.RequestAborted));
    });
}
