using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Flo.Actions;
using Flo.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints.Http;

/// <summary>
/// The management API over HTTP/JSON (what the dashboard reads): <c>/v1/namespaces</c>, <c>/v1/cluster</c> (silos with
/// activations and calls per second), and per namespace <c>overview</c> (runs per status, throughput per minute,
/// workers, counts), <c>queues/overview</c> and <c>streams/overview</c> (depths, DLQs, lengths, group lags), and
/// <c>events</c>: the run and schedule events as server-sent events. Run listings, run detail, cancel, retry,
/// actions, workers and schedules are the actions' and schedules' own routes.
/// </summary>
/// <remarks>
/// The event stream subscribes before it answers, so once a client sees the stream open (the first message, named
/// <c>ready</c>) no later event is missed while it stays connected; a <c>ping</c> every 15 s keeps idle connections
/// through proxies. Unnamed messages are the events, one JSON object each.
/// </remarks>
internal static class ManagementHttpApi
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var all = routes.MapGroup("/v1").WithTags("management")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        all.MapGet("/namespaces", NamespacesAsync).WithName("Namespaces").WithSummary("Every namespace with an action, schedule, queue or stream.")
            .Produces<NamespacesJson>();
        all.MapGet("/cluster", ClusterAsync).WithName("Cluster")
            .WithSummary("Active silos with activations, CPU, memory and calls per second (since the previous reading on this silo; null on the first).")
            .Produces<ClusterJson>();
        var ns = all.MapGroup("/ns/{ns}");
        ns.MapGet("/overview", OverviewAsync).WithName("NamespaceOverview")
            .WithSummary("Runs per status, run events per minute over the last 15 minutes (oldest first), workers, and counts of actions, schedules, queues and streams.")
            .Produces<OverviewJson>();
        ns.MapGet("/queues/overview", QueuesAsync).WithName("QueuesOverview")
            .WithSummary("The namespace's queues by name with depth, in flight and DLQ size: ?after (a name), ?limit (1-1000, default 100).")
            .Produces<QueuesJson>();
        ns.MapGet("/streams/overview", StreamsAsync).WithName("StreamsOverview")
            .WithSummary("The namespace's streams by name with length and their groups' pending, lag and dead letters: ?after, ?limit.")
            .Produces<StreamsJson>();
        ns.MapGet("/events", EventsAsync).WithName("Events")
            .WithSummary("Run and schedule events as server-sent events (text/event-stream): first a 'ready' message, then one unnamed message per event (JSON); ?action, ?run_id filter.")
            .Produces<EventJson>(StatusCodes.Status200OK, "text/event-stream");
    }

    private static ManagementApi Api(HttpContext context) => context.RequestServices.GetRequiredService<ManagementApi>();

    private static Task<IResult> NamespacesAsync(ManagementApi api, CancellationToken cancellationToken) => HttpJson.RunAsync(async () =>
        Results.Json(new NamespacesJson(await api.NamespacesAsync(cancellationToken))));

    private static Task<IResult> ClusterAsync(ManagementApi api, CancellationToken cancellationToken) => HttpJson.RunAsync(async () =>
    {
        var cluster = await api.ClusterAsync(cancellationToken);
        return Results.Json(new ClusterJson(
            [.. cluster.Silos.Select(s => new SiloJson(s.Address, s.Name, s.Status.ToLowerInvariant(), s.Activations, s.CpuUsage, s.MemoryBytes, s.Calls, s.CallsPerSecond, s.Gateway))],
            cluster.Activations, cluster.CallsPerSecond));
    });

    private static Task<IResult> OverviewAsync(HttpContext context, string ns) => HttpJson.RunAsync(async () =>
    {
        var o = await Api(context).OverviewAsync(ns, context.RequestAborted);
        return Results.Json(new OverviewJson(
            o.Namespace, ActionStatsJson.From(o.Runs),
            [.. o.Throughput.Select(t => new ThroughputJson(t.MinuteMs, t.Created, t.Started, t.Completed, t.Failed, t.Retrying, t.TimedOut, t.Cancelled))],
            new WorkerCountsJson(o.Workers.Alive, o.Workers.Total, o.Workers.Running, o.Workers.Concurrency),
            o.Actions, new ScheduleStatsJson(o.Schedules.Total, o.Schedules.Enabled, o.Schedules.Fired, o.Schedules.Missed), o.Queues, o.Streams));
    });

    private static Task<IResult> QueuesAsync(HttpContext context, string ns, string? after, int? limit) => HttpJson.RunAsync(async () =>
    {
        var queues = await Api(context).QueuesAsync(ns, after, limit ?? 100, context.RequestAborted);
        return Results.Json(new QueuesJson([.. queues.Select(q => new QueueOverviewJson(
            q.Name, q.Stats.Depth, q.Stats.Visible, q.Stats.Delayed, q.Stats.InFlight, q.Stats.DlqSize, q.Stats.DlqDropped, q.Stats.Partitions, q.Stats.Waiting))]));
    });

    private static Task<IResult> StreamsAsync(HttpContext context, string ns, string? after, int? limit) => HttpJson.RunAsync(async () =>
    {
        var streams = await Api(context).StreamsAsync(ns, after, limit ?? 100, context.RequestAborted);
        return Results.Json(new StreamsJson([.. streams.Select(s => new StreamOverviewJson(
            s.Name, s.Info.Length, s.Info.Bytes, s.Info.Partitions, s.Info.FirstId, s.Info.LastId,
            [.. s.Groups.Select(g => new StreamGroupJson(g.Name, g.Consumers, g.Pending, g.Lag, g.DlqSize))]))]));
    });

    private static Task<IResult> EventsAsync(HttpContext context, string ns, string? action, string? run_id) => HttpJson.RunAsync(async () =>
    {
        var actions = context.RequestServices.GetRequiredService<ActionApi>();
        // Subscribed before the answer starts: a client that saw "ready" misses nothing published after it.
        var watch = await actions.SubscribeAsync(ns, string.IsNullOrEmpty(action) ? null : action, string.IsNullOrEmpty(run_id) ? null : run_id, context.RequestAborted);
        context.Response.RegisterForDisposeAsync(watch);
        return TypedResults.ServerSentEvents(Messages(watch, context.RequestAborted));
    });

    private static async IAsyncEnumerable<SseItem<string>> Messages(ActionEventWatch watch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<string>("{}", "ready");
        await foreach (var item in ServerSentEventStream.WithPings(watch.ReadAllAsync(cancellationToken), static e => new SseItem<string>(JsonSerializer.Serialize(EventJson.From(e))), cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}

#pragma warning disable SA1300, IDE1006 // JSON field names are snake_case on the wire.
internal sealed record NamespacesJson(string[] namespaces);

internal sealed record SiloJson(
    string address, string name, string status, int activations, float? cpu_usage, long? memory_bytes, long? calls, double? calls_per_second, string? gateway);

internal sealed record ClusterJson(SiloJson[] silos, long activations, double? calls_per_second);

internal sealed record ThroughputJson(long minute_ms, long created, long started, long completed, long failed, long retrying, long timed_out, long cancelled);

internal sealed record WorkerCountsJson(int alive, int total, int running, int concurrency);

internal sealed record OverviewJson(
    string @namespace, ActionStatsJson runs, ThroughputJson[] throughput, WorkerCountsJson workers, int actions, ScheduleStatsJson schedules, int queues, int streams);

internal sealed record QueueOverviewJson(string name, long depth, long visible, long delayed, long in_flight, long dlq_size, long dlq_dropped, int partitions, long waiting);

internal sealed record QueuesJson(QueueOverviewJson[] queues);

internal sealed record StreamGroupJson(string name, int consumers, long pending, long lag, long dlq_size);

internal sealed record StreamOverviewJson(string name, long length, long bytes, int partitions, string? first_id, string? last_id, StreamGroupJson[] groups);

internal sealed record StreamsJson(StreamOverviewJson[] streams);

/// <summary>A run or schedule event on the wire: <c>kind</c> and <c>status</c> in snake_case (<c>timed_out</c>, <c>schedule_fired</c>).</summary>
internal sealed record EventJson(
    string kind, string @namespace, string action, string run_id, string status, int attempt, long at_ms, string? worker_id, string? error, string? schedule_id)
{
    public static EventJson From(ActionEvent e) => new(
        ActionHttpApi.Wire(e.Kind), e.Namespace, e.Action, e.RunId, ActionHttpApi.Wire(e.Status), e.Attempt, e.AtMs, e.WorkerId, e.Error, e.ScheduleId);
}
#pragma warning restore SA1300, IDE1006
