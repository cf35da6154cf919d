using System.Text;
using System.Text.Json;
using Flo.Schedules;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints.Http;

/// <summary>
/// Schedules over HTTP/JSON under <c>/v1/ns/{namespace}/schedules</c>: create (cron, interval or once), list, counts
/// under <c>schedules/stats</c> (a schedule id is 32 hex digits, so no schedule shadows it), read, enable, disable and
/// delete. Each due time invokes the schedule's action once; its run is read under <c>runs/{run_id}</c>. Args travel
/// base64-encoded in JSON, as an invoke's payload does; a create may give them as <c>args_json</c> instead (any JSON,
/// stored as its UTF-8 text). Kinds and missed-run policies are snake_case strings (<c>interval</c>, <c>run_once</c>).
/// Errors are problem+json with the codes of <see cref="HttpProblems"/> (400 InvalidArgument, naming a bad cron
/// expression; 404 ScheduleNotFound, ActionNotFound).
/// </summary>
/// <remarks>
/// A create always answers 201 with the schedule and its Location: the id is a hash of action, timing, time zone and
/// args, so creating the same schedule again answers 201 with the first one (as it is now, its settings unchanged)
/// rather than a second schedule. Everything goes through <see cref="ScheduleApi"/>, the same operations as the
/// client's, so both refuse the same input before storing anything.
/// </remarks>
internal static class ScheduleHttpApi
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        // Every route may answer 400 (bad namespace, schedule id or value), 503 and 504; the rest is listed per route.
        var s = routes.MapGroup("/v1/ns/{ns}/schedules").WithTags("schedules")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        s.MapPost("", CreateAsync).WithName("ScheduleCreate")
            .WithSummary("Create a schedule: {action, kind (cron|interval|once), cron, time_zone, interval_ms, at_ms, args (base64) or args_json (any JSON), description, priority, max_retries, retry_delay_ms, missed_runs (run_once|skip|run_each)} → 201 with it; the same action, timing, zone and args again → 201 with the first one.")
            .Accepts<ScheduleCreateJson>("application/json").Produces<ScheduleJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        s.MapGet("", ListAsync).WithName("ScheduleList").WithSummary("Every schedule of the namespace, soonest due first (disabled and finished ones last).")
            .Produces<SchedulesJson>();
        s.MapGet("/stats", StatsAsync).WithName("ScheduleStats").WithSummary("Counts of the namespace's schedules: {total, enabled, fired, missed}.")
            .Produces<ScheduleStatsJson>();
        s.MapGet("/{id}", GetAsync).WithName("ScheduleGet").WithSummary("A schedule with its last run and next due time.")
            .Produces<ScheduleJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        s.MapPost("/{id}/enable", EnableAsync).WithName("ScheduleEnable").WithSummary("Enable a schedule: its next due time is computed from now (nothing missed while disabled runs).")
            .Produces<ScheduleJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        s.MapPost("/{id}/disable", DisableAsync).WithName("ScheduleDisable").WithSummary("Disable a schedule: it fires no more until enabled.")
            .Produces<ScheduleJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        s.MapDelete("/{id}", DeleteAsync).WithName("ScheduleDelete").WithSummary("Delete a schedule → 204; the runs it started stay.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    // Stateless over the grain factory (registered by AddFloEndpoints), like the actions API's.
    private static ScheduleApi Api(HttpContext context) => context.RequestServices.GetRequiredService<ScheduleApi>();

    private static Task<IResult> CreateAsync(HttpContext context, string ns) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<ScheduleCreateJson>(context);
        var schedule = await Api(context).CreateAsync(ns, Definition(body), context.RequestAborted);
        return Results.Created($"/v1/ns/{ns}/schedules/{schedule.Id}", ScheduleJson.From(schedule));
    });

    private static Task<IResult> ListAsync(HttpContext context, string ns) => HttpJson.RunAsync(async () =>
    {
        var all = await Api(context).ListAsync(ns, context.RequestAborted);
        return Results.Json(new SchedulesJson([.. all.Select(ScheduleJson.From)]));
    });

    private static Task<IResult> StatsAsync(HttpContext context, string ns) => HttpJson.RunAsync(async () =>
    {
        var stats = await Api(context).StatsAsync(ns, context.RequestAborted);
        return Results.Json(new ScheduleStatsJson(stats.Total, stats.Enabled, stats.Fired, stats.Missed));
    });

    private static Task<IResult> GetAsync(HttpContext context, string ns, string id) => HttpJson.RunAsync(async () =>
        Results.Json(ScheduleJson.From(await Api(context).GetAsync(ns, id, context.RequestAborted))));

    private static Task<IResult> EnableAsync(HttpContext context, string ns, string id) => HttpJson.RunAsync(async () =>
        Results.Json(ScheduleJson.From(await Api(context).SetEnabledAsync(ns, id, enabled: true, context.RequestAborted))));

    private static Task<IResult> DisableAsync(HttpContext context, string ns, string id) => HttpJson.RunAsync(async () =>
        Results.Json(ScheduleJson.From(await Api(context).SetEnabledAsync(ns, id, enabled: false, context.RequestAborted))));

    private static Task<IResult> DeleteAsync(HttpContext context, string ns, string id) => HttpJson.RunAsync(async () =>
    {
        await Api(context).DeleteAsync(ns, id, context.RequestAborted);
        return Results.NoContent();
    });

    /// <summary>
    /// The definition a create asks for. Only the wire format is checked here (kind and policy names, base64, args
    /// given once); the values themselves are checked by <see cref="ScheduleApi"/> and the grain, as for the client.
    /// </summary>
    private static ScheduleDefinition Definition(ScheduleCreateJson body) => new()
    {
        Action = body.action ?? "",
        Kind = body.kind is null ? throw new ScheduleArgumentException($"'kind' is required: one of {Names<ScheduleKind>()}.") : Parse<ScheduleKind>(body.kind, "kind"),
        Cron = body.cron,
        TimeZone = string.IsNullOrEmpty(body.time_zone) ? null : body.time_zone,
        IntervalMs = body.interval_ms ?? 0,
        AtMs = body.at_ms ?? 0,
        Args = Args(body),
        Description = body.description,
        Priority = body.priority,
        MaxRetries = body.max_retries,
        RetryDelayMs = body.retry_delay_ms,
        MissedRuns = body.missed_runs is null ? MissedRuns.RunOnce : Parse<MissedRuns>(body.missed_runs, "missed_runs"),
    };

    /// <summary>
    /// The args: <c>args</c> (base64) or <c>args_json</c> (any JSON value, stored as the UTF-8 text it was sent as), not
    /// both; neither is empty args. Their size is checked by <see cref="ScheduleLimits"/>.
    /// </summary>
    private static byte[] Args(ScheduleCreateJson body)
    {
        if (body.args is not null && body.args_json is not null)
        {
            throw new ScheduleArgumentException("Give the args either as 'args' (base64) or as 'args_json' (JSON), not both.");
        }
        if (body.args is not null)
        {
            return HttpJson.Base64(body.args, "args");
        }
        return body.args_json is { } json ? Encoding.UTF8.GetBytes(json.GetRawText()) : [];
    }

    /// <summary>A wire name (<c>run_once</c>) or C# name (<c>RunOnce</c>), any case; numbers are refused (they are not names).</summary>
    private static T Parse<T>(string value, string field) where T : struct, Enum
    {
        foreach (var v in Enum.GetValues<T>())
        {
            if (value.Equals(ActionHttpApi.Wire(v), StringComparison.OrdinalIgnoreCase) || value.Equals(v.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }
        var shown = value.Length > 64 ? value[..64] + "..." : value;
        throw new ScheduleArgumentException($"'{field}' is '{shown}'; it must be one of {Names<T>()}.");
    }

    private static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(v => ActionHttpApi.Wire(v)));
}

#pragma warning disable SA1300, IDE1006 // JSON field names are snake_case on the wire.
internal sealed record ScheduleCreateJson
{
    public string? action { get; init; }
    public string? kind { get; init; }
    public string? cron { get; init; }
    public string? time_zone { get; init; }
    public long? interval_ms { get; init; }
    public long? at_ms { get; init; }
    public string? args { get; init; }
    public JsonElement? args_json { get; init; }
    public string? description { get; init; }
    public int? priority { get; init; }
    public int? max_retries { get; init; }
    public long? retry_delay_ms { get; init; }
    public string? missed_runs { get; init; }
}

/// <summary>
/// A schedule on the wire. Fields of another kind are null (<c>cron</c>/<c>time_zone</c> unless cron, <c>interval_ms</c>
/// unless interval, <c>at_ms</c> unless once); <c>time_zone</c> null is UTC; <c>priority</c>, <c>max_retries</c>,
/// <c>retry_delay_ms</c> null are the action's; <c>last_run_at_ms</c> null before the first run, <c>next_run_at_ms</c>
/// null when disabled or done.
/// </summary>
internal sealed record ScheduleJson(
    string id, string @namespace, string action, string kind, string? cron, string? time_zone, long? interval_ms, long? at_ms, string args, string? description,
    int? priority, int? max_retries, long? retry_delay_ms, string missed_runs, bool enabled, long? last_run_at_ms, string? last_run_id, long? next_run_at_ms,
    long created_at_ms, long updated_at_ms, long fired, long missed)
{
    public static ScheduleJson From(ScheduleInfo s)
    {
        var d = s.Definition;
        return new(
            s.Id, s.Namespace, d.Action, ActionHttpApi.Wire(d.Kind),
            d.Kind == ScheduleKind.Cron ? d.Cron : null, d.Kind == ScheduleKind.Cron ? d.TimeZone : null,
            d.Kind == ScheduleKind.Interval ? d.IntervalMs : null, d.Kind == ScheduleKind.Once ? d.AtMs : null,
            Convert.ToBase64String(d.Args), d.Description, d.Priority, d.MaxRetries, d.RetryDelayMs, ActionHttpApi.Wire(d.MissedRuns), s.Enabled,
            RunAttemptJson.NullIfZero(s.LastRunAtMs), s.LastRunId, RunAttemptJson.NullIfZero(s.NextRunAtMs), s.CreatedAtMs, s.UpdatedAtMs, s.Fired, s.Missed);
    }
}

internal sealed record SchedulesJson(ScheduleJson[] schedules);

internal sealed record ScheduleStatsJson(int total, int enabled, long fired, long missed);
#pragma warning restore SA1300, IDE1006
