using Flo.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints.Http;

/// <summary>
/// Streams over HTTP/JSON under <c>/v1/ns/{namespace}/streams/{name}/</c>: records, info, settings, and consumer groups
/// under <c>groups/{group}/</c>. Payloads are base64 in JSON; ids are <c>ms-seq</c> strings. Errors are problem+json
/// (400 InvalidArgument for bad input and malformed ids, 404 GroupNotFound).
/// </summary>
internal static class StreamHttpApi
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        // Every route may answer 400 (bad namespace, name, id or value), 503 and 504; JSON-body routes 415, group routes 404.
        var s = routes.MapGroup("/v1/ns/{ns}/streams/{name}").WithTags("streams")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        s.MapPost("/records", AppendAsync).WithName("StreamAppend").WithSummary("Append a record: {payload (base64), partition_key, headers} → {id}.")
            .Accepts<AppendJson>("application/json").Produces<IdJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        s.MapGet("/records", ReadAsync).WithName("StreamRead").WithSummary("Read: ?start=ms-seq (inclusive) or ?tail=true, ?count, ?block_ms, ?partition.").Produces<RecordsJson>();
        s.MapGet("/info", InfoAsync).WithName("StreamInfo").WithSummary("Length, first/last id, bytes, trimmed, partitions, groups.").Produces<StreamInfo>();
        s.MapGet("/settings", GetSettingsAsync).WithName("StreamGetSettings").WithSummary("Partitions and retention.").Produces<StreamSettings>();
        s.MapPut("/settings", ConfigureAsync).WithName("StreamConfigure").WithSummary("Change partitions (grow only) and retention.")
            .Accepts<StreamSettings>("application/json").Produces<StreamSettings>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        var g = s.MapGroup("/groups/{group}").ProducesProblem(StatusCodes.Status404NotFound);
        g.MapPost("/join", JoinAsync).WithName("StreamGroupJoin").WithSummary("Join (creating the group if needed): {consumer, start_after, settings}.")
            .Accepts<JoinJson>("application/json").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        g.MapPost("/read", GroupReadAsync).WithName("StreamGroupRead").WithSummary("Deliver records to a consumer: {consumer, count, block_ms}.")
            .Accepts<GroupReadJson>("application/json").Produces<RecordsJson>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        g.MapPost("/ack", AckAsync).WithName("StreamGroupAck").WithSummary("Ack records: {records: [{partition, id}]} → {acked}.")
            .Accepts<KeysJson>("application/json").Produces<AckedJson>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        g.MapGet("/pending", PendingAsync).WithName("StreamGroupPending").WithSummary("Pending entries: ?consumer, ?count.").Produces<PendingJson>();
        g.MapPost("/claim", ClaimAsync).WithName("StreamGroupClaim").WithSummary("Take over idle pending records: {consumer, min_idle_ms, records} or, without records, {count} (autoclaim).")
            .Accepts<ClaimJson>("application/json").Produces<RecordsJson>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        g.MapPost("/leave", LeaveAsync).WithName("StreamGroupLeave").WithSummary("Leave: {consumer}; its pending records go to others.")
            .Accepts<GroupReadJson>("application/json").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        g.MapGet("", GroupInfoAsync).WithName("StreamGroupInfo").WithSummary("Consumers, pending, lag, dead letters, cursors.").Produces<StreamGroupInfo>();
        g.MapGet("/dlq", DeadLettersAsync).WithName("StreamGroupDeadLetters").WithSummary("Records that reached the maximum deliveries: ?count.").Produces<PendingJson>();
    }

    private static StreamApi Api(HttpContext context) => new(context.RequestServices.GetRequiredService<IGrainFactory>());

    private static Task<IResult> AppendAsync(HttpContext context, string ns, string name) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<AppendJson>(context);
        var id = await Api(context).AppendAsync(ns, name, HttpJson.Base64(body.payload, "payload"), body.partition_key, body.headers, context.RequestAborted);
        return Results.Json(new IdJson(id.ToString()), statusCode: StatusCodes.Status201Created);
    });

    private static Task<IResult> ReadAsync(HttpContext context, string ns, string name, string? start, bool? tail, int? count, int? block_ms, int? partition) => HttpJson.RunAsync(async () =>
    {
        StreamId? from = start is null ? null : StreamId.Parse(start);
        var records = await Api(context).ReadAsync(ns, name, from, tail ?? false, count ?? 100, block_ms ?? 0, partition, context.RequestAborted);
        return Results.Json(new RecordsJson([.. records.Select(RecordJson.From)]));
    });

    private static Task<IResult> InfoAsync(HttpContext context, string ns, string name) => HttpJson.RunAsync(async () =>
        Results.Json(await Api(context).InfoAsync(ns, name, context.RequestAborted), HttpJson.SnakeCase));

    private static Task<IResult> GetSettingsAsync(HttpContext context, string ns, string name) => HttpJson.RunAsync(async () =>
        Results.Json(await Api(context).GetSettingsAsync(ns, name, context.RequestAborted), HttpJson.SnakeCase));

    private static Task<IResult> ConfigureAsync(HttpContext context, string ns, string name) => HttpJson.RunAsync(async () =>
    {
        var settings = await HttpJson.BodyAsync<StreamSettings>(context, options: HttpJson.SnakeCase);
        await Api(context).ConfigureAsync(ns, name, settings, context.RequestAborted);
        return Results.Json(settings, HttpJson.SnakeCase);
    });

    private static Task<IResult> JoinAsync(HttpContext context, string ns, string name, string group) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<JoinJson>(context, options: HttpJson.SnakeCase);
        StreamId? startAfter = body.start_after is null ? null : StreamId.Parse(body.start_after);
        await Api(context).GroupJoinAsync(ns, name, group, body.consumer ?? "", startAfter, body.settings, context.RequestAborted);
        return Results.NoContent();
    });

    private static Task<IResult> GroupReadAsync(HttpContext context, string ns, string name, string group) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<GroupReadJson>(context);
        var records = await Api(context).GroupReadAsync(ns, name, group, body.consumer ?? "", body.count ?? 100, body.block_ms ?? 0, context.RequestAborted);
        return Results.Json(new RecordsJson([.. records.Select(RecordJson.From)]));
    });

    private static Task<IResult> AckAsync(HttpContext context, string ns, string name, string group) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<KeysJson>(context);
        var acked = await Api(context).GroupAckAsync(ns, name, group, Keys(body.records), context.RequestAborted);
        return Results.Json(new AckedJson(acked));
    });

    private static Task<IResult> PendingAsync(HttpContext context, string ns, string name, string group, string? consumer, int? count) => HttpJson.RunAsync(async () =>
    {
        var entries = await Api(context).GroupPendingAsync(ns, name, group, consumer, count ?? 100, context.RequestAborted);
        return Results.Json(new PendingJson([.. entries.Select(PendingEntryJson.From)]));
    });

    private static Task<IResult> ClaimAsync(HttpContext context, string ns, string name, string group) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<ClaimJson>(context);
        var records = body.records is { Length: > 0 }
            ? await Api(context).GroupClaimAsync(ns, name, group, body.consumer ?? "", body.min_idle_ms ?? 0, Keys(body.records), context.RequestAborted)
            : await Api(context).GroupAutoClaimAsync(ns, name, group, body.consumer ?? "", body.min_idle_ms ?? 0, body.count ?? 100, context.RequestAborted);
        return Results.Json(new RecordsJson([.. records.Select(RecordJson.From)]));
    });

    private static Task<IResult> LeaveAsync(HttpContext context, string ns, string name, string group) => HttpJson.RunAsync(async () =>
    {
        var body = await HttpJson.BodyAsync<GroupReadJson>(context);
        await Api(context).GroupLeaveAsync(ns, name, group, body.consumer ?? "", context.RequestAborted);
        return Results.NoContent();
    });

    private static Task<IResult> GroupInfoAsync(HttpContext context, string ns, string name, string group) => HttpJson.RunAsync(async () =>
    {
        var info = await Api(context).GroupInfoAsync(ns, name, group, context.RequestAborted);
        return Results.Json(new GroupInfoJson(info.Name, info.ConsumerIdleMs, info.Pending, info.Lag, info.DlqSize, [.. info.Cursors.Select(c => c.ToString())]));
    });

    private static Task<IResult> DeadLettersAsync(HttpContext context, string ns, string name, string group, int? count) => HttpJson.RunAsync(async () =>
    {
        var entries = await Api(context).GroupDeadLettersAsync(ns, name, group, count ?? 100, context.RequestAborted);
        return Results.Json(new PendingJson([.. entries.Select(PendingEntryJson.From)]));
    });

    private static StreamPendingKey[] Keys(KeyJson[]? keys) => [.. (keys ?? []).Select(k => new StreamPendingKey(k.partition ?? 0, StreamId.Parse(k.id)))];
}

#pragma warning disable SA1300, IDE1006 // JSON field names are snake_case on the wire.
internal sealed record AppendJson
{
    public string? payload { get; init; }
    public string? partition_key { get; init; }
    public Dictionary<string, string>? headers { get; init; }
}

internal sealed record JoinJson
{
    public string? consumer { get; init; }
    public string? start_after { get; init; }
    public StreamGroupSettings? settings { get; init; }
}

internal sealed record GroupReadJson
{
    public string? consumer { get; init; }
    public int? count { get; init; }
    public int? block_ms { get; init; }
}

internal sealed record KeyJson
{
    public int? partition { get; init; }
    public string? id { get; init; }
}

internal sealed record KeysJson
{
    public KeyJson[]? records { get; init; }
}

internal sealed record ClaimJson
{
    public string? consumer { get; init; }
    public long? min_idle_ms { get; init; }
    public KeyJson[]? records { get; init; }
    public int? count { get; init; }
}

internal sealed record IdJson(string id);

internal sealed record AckedJson(int acked);

internal sealed record RecordsJson(RecordJson[] records);

internal sealed record PendingJson(PendingEntryJson[] entries);

internal sealed record GroupInfoJson(string name, Dictionary<string, long> consumer_idle_ms, long pending, long lag, long dlq_size, string[] cursors);

internal sealed record RecordJson(string id, int partition, string payload, Dictionary<string, string>? headers, int? deliveries)
{
    public static RecordJson From(StreamRecord r) => new(r.Id.ToString(), r.Partition, Convert.ToBase64String(r.Payload), r.Headers, r.Deliveries == 0 ? null : r.Deliveries);
}

internal sealed record PendingEntryJson(string id, int partition, string consumer, int deliveries, long idle_ms)
{
    public static PendingEntryJson From(StreamPendingEntry e) => new(e.Id.ToString(), e.Partition, e.Consumer, e.Deliveries, e.IdleMs);
}
#pragma warning restore SA1300, IDE1006
