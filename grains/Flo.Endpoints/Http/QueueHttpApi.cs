using System.Text.Json;
using Flo.Kv;
using Flo.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints.Http;

/// <summary>
/// Queues over HTTP/JSON under <c>/v1/ns/{namespace}/queues/{name}/</c>. Payloads travel base64-encoded in JSON;
/// operations that change a queue are POSTs with a JSON body, reads are GETs. Errors are problem+json with the codes of
/// <see cref="HttpProblems"/> (404 MessageNotFound, 409 LeaseExpired, 400 InvalidArgument).
/// </summary>
internal static class QueueHttpApi
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        // Every route may answer 400 (bad namespace, name or value), 503 and 504; the rest is listed per route.
        var q = routes.MapGroup("/v1/ns/{ns}/queues/{name}").WithTags("queues")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        q.MapPost("/messages", EnqueueAsync).WithName("QueueEnqueue").WithSummary("Enqueue a message: {payload (base64), priority, delay_ms, dedup_key} → {seq}.")
            .Accepts<EnqueueJson>("application/json").Produces<SeqJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        q.MapPost("/dequeue", DequeueAsync).WithName("QueueDequeue").WithSummary("Lease up to {count} messages for {visibility_timeout_ms}; {block_ms} long-polls.")
            .Accepts<DequeueJson>("application/json").Produces<MessagesJson>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        q.MapPost("/ack", AckAsync).WithName("QueueAck").WithSummary("Ack (remove) leased messages: {seqs} (empty: nothing to do).")
            .Accepts<SeqsJson>("application/json").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        q.MapPost("/nack", NackAsync).WithName("QueueNack").WithSummary("Release messages: {seqs, to_dlq, delay_ms, error} (empty seqs: nothing to do).")
            .Accepts<NackJson>("application/json").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        q.MapPost("/touch", TouchAsync).WithName("QueueTouch").WithSummary("Extend leases: {seqs, visibility_timeout_ms} → {lease_expires_at_ms}.")
            .Accepts<TouchJson>("application/json").Produces<LeaseJson>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        q.MapGet("/peek", PeekAsync).WithName("QueuePeek").WithSummary("Up to ?count visible messages, not leased.").Produces<MessagesJson>();
        q.MapGet("/dlq", DlqListAsync).WithName("QueueDlqList").WithSummary("Dead letters in sequence order: ?limit, ?after_seq.").Produces<DlqJson>();
        q.MapPost("/dlq/requeue", DlqRequeueAsync).WithName("QueueDlqRequeue").WithSummary("Move dead letters back with a fresh delivery count: {seqs} (empty or absent: all).")
            .Accepts<SeqsJson>("application/json").Produces<RequeuedJson>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        q.MapGet("/stats", StatsAsync).WithName("QueueStats").WithSummary("Depth, visible, delayed, in flight, DLQ size.").Produces<QueueStats>();
        q.MapGet("/settings", GetSettingsAsync).WithName("QueueGetSettings").WithSummary("The queue's settings.").Produces<QueueSettings>();
        q.MapPut("/settings", ConfigureAsync).WithName("QueueConfigure").WithSummary("Change the queue's settings (partitions may only grow).")
            .Accepts<QueueSettings>("application/json").Produces<QueueSettings>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static QueueApi Api(HttpContext context) => new(context.RequestServices.GetRequiredService<IGrainFactory>());

    private static Task<IResult> EnqueueAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
    {
        var body = await BodyAsync<EnqueueJson>(context);
        var payload = Base64(body.payload, "payload");
        var seq = await Api(context).EnqueueAsync(ns, name, payload, body.priority ?? 0, body.delay_ms ?? 0, body.dedup_key, context.RequestAborted);
        return Results.Json(new SeqJson(seq), statusCode: StatusCodes.Status201Created);
    });

    private static Task<IResult> DequeueAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
    {
        var body = await BodyAsync<DequeueJson>(context, allowEmpty: true);
        var messages = await Api(context).DequeueAsync(ns, name, body.count ?? 1, body.block_ms ?? 0, body.visibility_timeout_ms ?? 0, context.RequestAborted);
        return Results.Json(new MessagesJson([.. messages.Select(MessageJson.From)]));
    });

    private static Task<IResult> AckAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
    {
        var body = await BodyAsync<SeqsJson>(context);
        if (IsNothing(ns, name, body.seqs, "ack"))
        {
            return Results.NoContent();
        }
        await Api(context).AckAsync(ns, name, body.seqs!, context.RequestAborted);
        return Results.NoContent();
    });

    private static Task<IResult> NackAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
    {
        var body = await BodyAsync<NackJson>(context);
        if (IsNothing(ns, name, body.seqs, "nack"))
        {
            return Results.NoContent();
        }
        await Api(context).NackAsync(ns, name, body.seqs!, new QueueNack { ToDlq = body.to_dlq ?? false, DelayMs = body.delay_ms ?? 0, Error = body.error }, context.RequestAborted);
        return Results.NoContent();
    });

    private static Task<IResult> TouchAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
    {
        var body = await BodyAsync<TouchJson>(context);
        var expiry = await Api(context).TouchAsync(ns, name, body.seqs ?? [], body.visibility_timeout_ms ?? 0, context.RequestAborted);
        return Results.Json(new LeaseJson(expiry));
    });

    private static Task<IResult> PeekAsync(HttpContext context, string ns, string name, int? count) => RunAsync(context, async () =>
    {
        var messages = await Api(context).PeekAsync(ns, name, count ?? 10, context.RequestAborted);
        return Results.Json(new MessagesJson([.. messages.Select(MessageJson.From)]));
    });

    private static Task<IResult> DlqListAsync(HttpContext context, string ns, string name, int? limit, long? after_seq) => RunAsync(context, async () =>
    {
        var dead = await Api(context).DlqListAsync(ns, name, limit ?? 100, after_seq ?? 0, context.RequestAborted);
        return Results.Json(new DlqJson([.. dead.Select(DlqMessageJson.From)]));
    });

    private static Task<IResult> DlqRequeueAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
    {
        var body = await BodyAsync<SeqsJson>(context, allowEmpty: true);
        var moved = await Api(context).DlqRequeueAsync(ns, name, body.seqs, context.RequestAborted);
        return Results.Json(new RequeuedJson(moved));
    });

    private static Task<IResult> StatsAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
        Results.Json(await Api(context).StatsAsync(ns, name, context.RequestAborted), JsonOptions));

    private static Task<IResult> GetSettingsAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
        Results.Json(await Api(context).GetSettingsAsync(ns, name, context.RequestAborted), JsonOptions));

    private static Task<IResult> ConfigureAsync(HttpContext context, string ns, string name) => RunAsync(context, async () =>
    {
        var settings = await BodyAsync<QueueSettings>(context, options: JsonOptions);
        await Api(context).ConfigureAsync(ns, name, settings, context.RequestAborted);
        return Results.Json(settings, JsonOptions);
    });

    /// <summary>
    /// Whether an ack or nack names no message (an empty <c>seqs</c>): nothing to do, not an error (as the client), once
    /// the queue's name is checked. An absent <c>seqs</c> is a malformed request.
    /// </summary>
    private static bool IsNothing(string ns, string name, long[]? seqs, string operation)
    {
        if (seqs is null)
        {
            throw new QueueArgumentException($"'seqs' (the sequence numbers to {operation}) is required.");
        }
        if (seqs.Length > 0)
        {
            return false;
        }
        KvKeys.ValidateNamespace(ns);
        QueueLimits.ValidateName(name);
        return true;
    }

    private static Task<IResult> RunAsync(HttpContext context, Func<Task<IResult>> handler) => HttpJson.RunAsync(handler);

    private static Task<T> BodyAsync<T>(HttpContext context, bool allowEmpty = false, JsonSerializerOptions? options = null) where T : new() => HttpJson.BodyAsync<T>(context, allowEmpty, options);

    private static byte[] Base64(string? value, string field) => HttpJson.Base64(value, field);

    private static JsonSerializerOptions JsonOptions => HttpJson.SnakeCase;
}

#pragma warning disable SA1300, IDE1006 // JSON field names are snake_case on the wire.
internal sealed record EnqueueJson
{
    public string? payload { get; init; }
    public int? priority { get; init; }
    public long? delay_ms { get; init; }
    public string? dedup_key { get; init; }
}

internal sealed record DequeueJson
{
    public int? count { get; init; }
    public int? block_ms { get; init; }
    public long? visibility_timeout_ms { get; init; }
}

internal sealed record SeqsJson
{
    public long[]? seqs { get; init; }
}

internal sealed record NackJson
{
    public long[]? seqs { get; init; }
    public bool? to_dlq { get; init; }
    public long? delay_ms { get; init; }
    public string? error { get; init; }
}

internal sealed record TouchJson
{
    public long[]? seqs { get; init; }
    public long? visibility_timeout_ms { get; init; }
}

internal sealed record SeqJson(long seq);

internal sealed record LeaseJson(long lease_expires_at_ms);

internal sealed record RequeuedJson(int requeued);

internal sealed record MessagesJson(MessageJson[] messages);

internal sealed record DlqJson(DlqMessageJson[] messages);

internal sealed record MessageJson(long seq, string payload, int priority, int deliveries, long? lease_expires_at_ms, long enqueued_at_ms)
{
    public static MessageJson From(QueueMessage m) => new(m.Seq, Convert.ToBase64String(m.Payload), m.Priority, m.Deliveries, m.LeaseExpiresAtMs == 0 ? null : m.LeaseExpiresAtMs, m.EnqueuedAtMs);
}

internal sealed record DlqMessageJson(long seq, string payload, int priority, int deliveries, string? last_error, long dead_at_ms, long enqueued_at_ms)
{
    public static DlqMessageJson From(DlqMessage m) => new(m.Seq, Convert.ToBase64String(m.Payload), m.Priority, m.Deliveries, m.LastError, m.DeadAtMs, m.EnqueuedAtMs);
}
#pragma warning restore SA1300, IDE1006
