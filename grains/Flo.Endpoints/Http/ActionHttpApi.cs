using System.Text;
using System.Text.Json;
using Flo.Actions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints.Http;

/// <summary>
/// Actions over HTTP/JSON under <c>/v1/ns/{namespace}/</c>: definitions under <c>actions/{name}</c>, runs under
/// <c>runs/{run_id}</c> (run counts under <c>runs/stats</c>: a run id is 32 hex digits, so no run shadows it), and the
/// namespace's <c>workers</c>. Payloads and results travel base64-encoded in JSON, as the queue's and stream's do; an
/// invoke may give its payload as <c>payload_json</c> instead (any JSON, stored as its UTF-8 text). Statuses and attempt
/// outcomes are snake_case strings (<c>pending</c>, <c>timed_out</c>). Errors are problem+json with the codes of
/// <see cref="HttpProblems"/> (400 InvalidArgument, 404 ActionNotFound/RunNotFound, 409 IdempotencyConflict).
/// </summary>
/// <remarks>
/// Action names may contain '/': send it as <c>%2F</c> (see <see cref="RawName"/>). Everything goes through
/// <see cref="ActionApi"/>, the same operations as the client's, so both refuse the same input before storing anything.
/// </remarks>
internal static class ActionHttpApi
{
    /// <summary>Longest <c>wait_ms</c> of a run read: as long as a queue's long poll.</summary>
    private const int MaxWaitMs = 300_000;

    public static void Map(IEndpointRouteBuilder routes)
    {
        // Every route may answer 400 (bad namespace, name, run id or value), 503 and 504; the rest is listed per route.
        // Register and invoke take an optional body: without one, every setting is its default and the payload empty.
        var ns = routes.MapGroup("/v1/ns/{ns}").WithTags("actions")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        ns.MapGet("/actions", ListActionsAsync).WithName("ActionList").WithSummary("Every registered action of the namespace, by name.")
            .Produces<ActionsJson>();
        ns.MapPut("/actions/{name}", RegisterAsync).WithName("ActionRegister")
            .WithSummary("Register or update an action: {timeout_ms, max_retries, retry_delay_ms, backoff, priority, retention_ms, partitions}, all optional (defaults; partitions: as first registered).")
            .Accepts<ActionRegisterJson>(isOptional: true, "application/json").Produces<ActionDefinitionJson>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        ns.MapGet("/actions/{name}", GetActionAsync).WithName("ActionGet").WithSummary("An action's definition.")
            .Produces<ActionDefinitionJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        ns.MapPost("/actions/{name}/invoke", InvokeAsync).WithName("ActionInvoke")
            .WithSummary("Invoke an action: {payload (base64) or payload_json (any JSON), priority, idempotency_key, delay_ms} → 202 {run_id}.")
            .Accepts<ActionInvokeJson>(isOptional: true, "application/json").Produces<RunIdJson>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        ns.MapGet("/runs", ListRunsAsync).WithName("RunList").WithSummary("Runs newest first: ?status, ?action, ?limit (1-1000, default 50), ?cursor of the previous page.")
            .Produces<RunsJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        ns.MapGet("/runs/stats", StatsAsync).WithName("RunStats").WithSummary("Run counts per status of ?action, or of every action of the namespace.")
            .Produces<ActionStatsJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        ns.MapGet("/runs/{run_id}", GetRunAsync).WithName("RunGet").WithSummary("A run with its attempts; ?wait_ms waits up to that long for it to finish (then answers it as it is).")
            .Produces<RunJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        ns.MapPost("/runs/{run_id}/cancel", CancelAsync).WithName("RunCancel").WithSummary("Cancel a run unless it finished → {cancelled}: whether this call cancelled it.")
            .Produces<CancelledJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        ns.MapPost("/runs/{run_id}/retry", RetryAsync).WithName("RunRetry")
            .WithSummary("Run a finished run again: a new run of the same action, payload and priority → 202 {run_id}; retrying the same run twice gives the same new run.")
            .Produces<RunIdJson>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        ns.MapGet("/workers", ListWorkersAsync).WithName("ActionWorkers").WithSummary("The namespace's workers, from their heartbeats (alive or recently seen).")
            .Produces<WorkersJson>();
    }

    /// <summary>The wire name of a run status or attempt outcome (<c>timed_out</c>), as listings filter by it.</summary>
    internal static string Wire<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    // One per silo (registered by AddFloEndpoints): it caches each action's partition count and spreads invokes round-robin.
    private static ActionApi Api(HttpContext context) => context.RequestServices.GetRequiredService<ActionApi>();

    private static Task<IResult> ListActionsAsync(HttpContext context, string ns) => HttpJson.RunAsync(async () =>
    {
        var actions = await Api(context).ListActionsAsync(ns, context.RequestAborted);
        return Results.Json(new ActionsJson([.. actions.Select(ActionDefinitionJson.From)]));
    });

    private static Task<IResult> RegisterAsync(HttpContext context, string ns, string name) => HttpJson.RunAsync(async () =>
    {
        name = RawName(context, name);
        var body = await HttpJson.BodyAsync<ActionRegisterJson>(context, allowEmpty: true);
        var api = Api(context);
        var defaults = new ActionDefinition();
        var definition = new ActionDefinition
        {
            Name = name,
            TimeoutMs = body.timeout_ms ?? defaults.TimeoutMs,
            MaxRetries = body.max_retries ?? defaults.MaxRetries,
            RetryDelayMs = body.retry_delay_ms ?? defaults.RetryDelayMs,
            Backoff = body.backoff ?? defaults.Backoff,
            Priority = body.priority ?? defaults.Priority,
            RetentionMs = body.retention_ms ?? defaults.RetentionMs,
            // The count cannot change after the first registration: left out, an update keeps it rather than failing.
            Partitions = body.partitions ?? await ExistingPartitionsAsync(api, ns, name, context.RequestAborted) ?? defaults.Partitions,
        };
        var stored = await api.RegisterAsync(ns, definition, keepExisting: false, context.RequestAborted);
        return Results.Json(ActionDefinitionJson.From(stored));
    });

    private static Task<IResult> GetActionAsync(HttpContext context, string ns, string name) => HttpJson.RunAsync(async () =>
        Results.Json(ActionDefinitionJson.From(await Api(context).GetActionAsync(ns, RawName(context, name), context.RequestAborted))));

    private static Task<IResult> InvokeAsync(HttpContext context, string ns, string name) => HttpJson.RunAsync(async () =>
    {
        name = RawName(context, name);
        var body = await HttpJson.BodyAsync<ActionInvokeJson>(context, allowEmpty: true);
        var runId = await Api(context).InvokeAsync(ns, name, Payload(body), body.priority, body.idempotency_key, body.delay_ms ?? 0, context.RequestAborted);
        // Accepted: the run is stored and waits for a worker; its Location is where to read (or wait for) it.
        return Results.Accepted($"/v1/ns/{ns}/runs/{runId}", new RunIdJson(runId));
    });

    private static Task<IResult> ListRunsAsync(HttpContext context, string ns, string? status, string? action, int? limit, string? cursor) => HttpJson.RunAsync(async () =>
    {
        // An empty query value (?status=) means no filter, as when it is left out.
        var filter = new RunFilter(ParseStatus(status), string.IsNullOrEmpty(action) ? null : action);
        var page = await Api(context).ListRunsAsync(ns, filter, limit ?? 50, string.IsNullOrEmpty(cursor) ? null : cursor, context.RequestAborted);
        return Results.Json(new RunsJson([.. page.Runs.Select(RunSummaryJson.From)], page.NextCursor));
    });

    private static Task<IResult> StatsAsync(HttpContext context, string ns, string? action) => HttpJson.RunAsync(async () =>
        Results.Json(ActionStatsJson.From(await Api(context).StatsAsync(ns, string.IsNullOrEmpty(action) ? null : action, context.RequestAborted))));

    private static Task<IResult> GetRunAsync(HttpContext context, string ns, string run_id, int? wait_ms) => HttpJson.RunAsync(async () =>
    {
        var api = Api(context);
        var wait = wait_ms ?? 0;
        ActionLimits.ValidateRange(wait, 0, MaxWaitMs, "wait_ms");
        ActionRun run;
        if (wait == 0)
        {
            run = await api.GetRunAsync(ns, run_id, context.RequestAborted);
        }
        else
        {
            try
            {
                run = await api.WaitAsync(ns, run_id, TimeSpan.FromMilliseconds(wait), context.RequestAborted);
            }
            catch (RunWaitTimeoutException)
            {
                // A read that waited is still a read: the run as it is now (its status says it has not finished).
                run = await api.GetRunAsync(ns, run_id, context.RequestAborted);
            }
        }
        return Results.Json(RunJson.From(run));
    });

    private static Task<IResult> CancelAsync(HttpContext context, string ns, string run_id) => HttpJson.RunAsync(async () =>
        Results.Json(new CancelledJson(await Api(context).CancelAsync(ns, run_id, context.RequestAborted))));

    private static Task<IResult> RetryAsync(HttpContext context, string ns, string run_id) => HttpJson.RunAsync(async () =>
    {
        var runId = await Api(context).RetryAsync(ns, run_id, context.RequestAborted);
        return Results.Accepted($"/v1/ns/{ns}/runs/{runId}", new RunIdJson(runId));
    });

    private static Task<IResult> ListWorkersAsync(HttpContext context, string ns) => HttpJson.RunAsync(async () =>
    {
        var workers = await Api(context).ListWorkersAsync(ns, context.RequestAborted);
        return Results.Json(new WorkersJson([.. workers.Select(WorkerJson.From)]));
    });

    /// <summary>The action's partition count when it is registered; null when it is not.</summary>
    private static async Task<int?> ExistingPartitionsAsync(ActionApi api, string ns, string name, CancellationToken cancellationToken)
    {
        // Checked first so a bad name is refused as such, not looked up under a malformed grain key.
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateName(name);
        try
        {
            return await api.PartitionsAsync(ns, name, cancellationToken);
        }
        catch (ActionNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The invoke's payload: <c>payload</c> (base64) or <c>payload_json</c> (any JSON value, stored as the UTF-8 text it
    /// was sent as), not both; neither is an empty payload. Its size is checked by <see cref="ActionApi"/>.
    /// </summary>
    private static byte[] Payload(ActionInvokeJson body)
    {
        if (body.payload is not null && body.payload_json is not null)
        {
            throw new ActionArgumentException("Give the payload either as 'payload' (base64) or as 'payload_json' (JSON), not both.");
        }
        if (body.payload is not null)
        {
            return HttpJson.Base64(body.payload, "payload");
        }
        return body.payload_json is { } json ? Encoding.UTF8.GetBytes(json.GetRawText()) : [];
    }

    /// <summary>A <c>?status</c> filter: a status's wire name (<c>timed_out</c>) or its C# name (<c>TimedOut</c>), any case.</summary>
    private static RunStatus? ParseStatus(string? status)
    {
        if (string.IsNullOrEmpty(status))
        {
            return null;
        }
        foreach (var s in Enum.GetValues<RunStatus>())
        {
            if (status.Equals(Wire(s), StringComparison.OrdinalIgnoreCase) || status.Equals(s.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return s;
            }
        }
        var shown = status.Length > 64 ? status[..64] + "..." : status;
        throw new ActionArgumentException($"Status '{shown}' is not one of {string.Join(", ", Enum.GetValues<RunStatus>().Select(Wire))}.");
    }

    /// <summary>
    /// The action name exactly as the client percent-encoded it. The route value keeps <c>%2F</c> undecoded (Kestrel
    /// decodes every other escape in the path), and decoding it again would also decode what the client escaped twice
    /// (<c>%252F</c>), so the name is decoded from the raw request target instead, as the KV API does with keys.
    /// </summary>
    private static string RawName(HttpContext context, string name)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return name;
        }
        var query = raw.IndexOf('?');
        if (query >= 0)
        {
            raw = raw[..query];
        }
        // "", "v1", "ns", "{ns}", "actions", "{name}"[, "invoke"]; anything else (an absolute target): the route value.
        var parts = raw.Split('/');
        return parts.Length >= 6 && parts[4].Equals("actions", StringComparison.OrdinalIgnoreCase) ? Uri.UnescapeDataString(parts[5]) : name;
    }
}

#pragma warning disable SA1300, IDE1006 // JSON field names are snake_case on the wire.
internal sealed record ActionRegisterJson
{
    public long? timeout_ms { get; init; }
    public int? max_retries { get; init; }
    public long? retry_delay_ms { get; init; }
    public double? backoff { get; init; }
    public int? priority { get; init; }
    public long? retention_ms { get; init; }
    public int? partitions { get; init; }
}

internal sealed record ActionInvokeJson
{
    public string? payload { get; init; }
    public JsonElement? payload_json { get; init; }
    public int? priority { get; init; }
    public string? idempotency_key { get; init; }
    public long? delay_ms { get; init; }
}

internal sealed record ActionDefinitionJson(string name, long timeout_ms, int max_retries, long retry_delay_ms, double backoff, int priority, long retention_ms, int partitions, long registered_at_ms, long updated_at_ms)
{
    public static ActionDefinitionJson From(ActionDefinition d) => new(d.Name, d.TimeoutMs, d.MaxRetries, d.RetryDelayMs, d.Backoff, d.Priority, d.RetentionMs, d.Partitions, d.RegisteredAtMs, d.UpdatedAtMs);
}

internal sealed record ActionsJson(ActionDefinitionJson[] actions);

internal sealed record RunIdJson(string run_id);

internal sealed record CancelledJson(bool cancelled);

internal sealed record RunAttemptJson(int number, string worker_id, long started_at_ms, long? finished_at_ms, string outcome, string? error)
{
    public static RunAttemptJson From(RunAttempt a) => new(a.Number, a.WorkerId, a.StartedAtMs, NullIfZero(a.FinishedAtMs), ActionHttpApi.Wire(a.Outcome), a.Error);

    internal static long? NullIfZero(long ms) => ms == 0 ? null : ms;
}

internal sealed record RunJson(
    string run_id, string @namespace, string action, string status, int priority, string payload, string? result, string? error, string? idempotency_key,
    long submitted_at_ms, long? started_at_ms, long? finished_at_ms, long? next_attempt_at_ms, int max_attempts, string? worker_id, RunAttemptJson[] attempts)
{
    public static RunJson From(ActionRun r) => new(
        r.RunId, r.Namespace, r.Action, ActionHttpApi.Wire(r.Status), r.Priority, Convert.ToBase64String(r.Payload), r.Result is null ? null : Convert.ToBase64String(r.Result),
        r.Error, r.IdempotencyKey, r.SubmittedAtMs, RunAttemptJson.NullIfZero(r.StartedAtMs), RunAttemptJson.NullIfZero(r.FinishedAtMs), RunAttemptJson.NullIfZero(r.NextAttemptAtMs),
        r.MaxAttempts, r.WorkerId, [.. r.Attempts.Select(RunAttemptJson.From)]);
}

internal sealed record RunSummaryJson(string run_id, string action, string status, int priority, int attempts, long submitted_at_ms, long? started_at_ms, long? finished_at_ms, string? worker_id, string? error)
{
    public static RunSummaryJson From(RunSummary r) => new(
        r.RunId, r.Action, ActionHttpApi.Wire(r.Status), r.Priority, r.Attempts, r.SubmittedAtMs, RunAttemptJson.NullIfZero(r.StartedAtMs), RunAttemptJson.NullIfZero(r.FinishedAtMs), r.WorkerId, r.Error);
}

internal sealed record RunsJson(RunSummaryJson[] runs, string? next_cursor);

internal sealed record ActionStatsJson(long pending, long running, long retrying, long completed, long failed, long cancelled, long timed_out, long delayed)
{
    public static ActionStatsJson From(ActionStats s) => new(s.Pending, s.Running, s.Retrying, s.Completed, s.Failed, s.Cancelled, s.TimedOut, s.Delayed);
}

internal sealed record WorkerJson(string worker_id, IReadOnlyList<string> actions, int concurrency, int cpu_concurrency, IReadOnlyList<string> runs, string host, long started_at_ms, long last_heartbeat_ms, long finished, bool alive)
{
    public static WorkerJson From(WorkerInfo w) => new(w.WorkerId, w.Actions, w.Concurrency, w.CpuConcurrency, w.Runs, w.Host, w.StartedAtMs, w.LastHeartbeatMs, w.Finished, w.Alive);
}

internal sealed record WorkersJson(WorkerJson[] workers);
#pragma warning restore SA1300, IDE1006
