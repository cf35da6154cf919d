using System.Globalization;
using System.Text.Json;
using Flo.Kv;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints.Http;

/// <summary>
/// The KV store over HTTP/JSON under <c>/v1/ns/{namespace}/</c> on the silo's HTTP port. Values travel as raw bytes
/// (PUT body, GET response body with <c>Flo-*</c> headers) or base64 in JSON (<c>?format=json</c> or
/// <c>Accept: application/json</c>). Keys are the rest of the path, percent-decoded, so they may contain '/'; history
/// and watch use their own path prefixes (<c>kv-history</c>, <c>kv-watch</c>) to stay unambiguous.
/// </summary>
internal static class KvHttpApi
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        // Every route may answer 400 (bad namespace, key or query value), 503 and 504; the rest is listed per route.
        var kv = routes.MapGroup("/v1/ns/{ns}").WithTags("kv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        kv.MapGet("/kv/{*key}", GetAsync).WithName("KvGet").WithSummary("Get a key (raw value, or JSON with ?format=json); ?block_ms waits for it.")
            .Produces(StatusCodes.Status200OK, typeof(KvEntryJson), "application/octet-stream", "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        kv.MapPut("/kv/{*key}", PutAsync).WithName("KvPut").WithSummary("Put a value (request body); ?ttl_seconds, ?cas_version, ?if_not_exists=true.")
            .Produces<KvPutJson>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        kv.MapDelete("/kv/{*key}", DeleteAsync).WithName("KvDelete").WithSummary("Delete a key (a tombstone in its history).")
            .Produces<KvDeleteJson>();
        kv.MapGet("/kv", ScanAsync).WithName("KvScan").WithSummary("Keys with ?prefix in UTF-8 byte order, ?limit (1-1000) per page, ?cursor of the previous page.")
            .Produces<KvScanJson>();
        kv.MapGet("/kv-history/{*key}", HistoryAsync).WithName("KvHistory").WithSummary("A key's versions, newest first (?limit 1-64, default 10).")
            .Produces<KvHistoryJson>();
        kv.MapGet("/kv-watch/{*key}", WatchAsync).WithName("KvWatch").WithSummary("Every version after ?from_version, as newline-delimited JSON, until the client disconnects.")
            .Produces(StatusCodes.Status200OK, typeof(KvVersionJson), "application/x-ndjson");
    }

    /// <summary>
    /// The key exactly as the client percent-encoded it: the route value keeps <c>%2F</c> undecoded (to tell an
    /// encoded slash from a path separator), so the key is decoded from the raw request target instead.
    /// </summary>
    private static string RawKey(HttpContext context, string key)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return key;
        }
        var query = raw.IndexOf('?');
        if (query >= 0)
        {
            raw = raw[..query];
        }
        // "", "v1", "ns", "{ns}", "kv" | "kv-history" | "kv-watch", "{key}"
        var parts = raw.Split('/', 6);
        return parts.Length == 6 ? Uri.UnescapeDataString(parts[5]) : key;
    }

    private static KvApi Api(HttpContext context) => context.RequestServices.GetRequiredService<KvApi>();

    private static async Task<IResult> GetAsync(HttpContext context, string ns, string? key, int? block_ms, string? format)
    {
        key = RawKey(context, key ?? "");
        try
        {
            var entry = await Api(context).GetAsync(ns, key, block_ms ?? 0, context.RequestAborted);
            if (entry is null)
            {
                return HttpProblems.NotFound(key);
            }
            var headers = context.Response.Headers;
            headers["Flo-Version"] = entry.Version.ToString(CultureInfo.InvariantCulture);
            headers["Flo-Created-Ms"] = entry.CreatedMs.ToString(CultureInfo.InvariantCulture);
            headers["Flo-Updated-Ms"] = entry.UpdatedMs.ToString(CultureInfo.InvariantCulture);
            if (entry.ExpiresAtMs != 0)
            {
                headers["Flo-Expires-At-Ms"] = entry.ExpiresAtMs.ToString(CultureInfo.InvariantCulture);
            }
            headers.ETag = $"\"{entry.Version}\"";
            if (WantsJson(context, format))
            {
                return Results.Json(new KvEntryJson(entry.Key, Convert.ToBase64String(entry.Value), entry.Version, entry.CreatedMs, entry.UpdatedMs, entry.ExpiresAtMs == 0 ? null : entry.ExpiresAtMs));
            }
            return Results.Bytes(entry.Value, "application/octet-stream");
        }
        catch (Exception e) when (HttpProblems.IsExpected(e))
        {
            return HttpProblems.From(e);
        }
    }

    private static async Task<IResult> PutAsync(HttpContext context, string ns, string? key, long? ttl_seconds, long? cas_version, bool? if_not_exists)
    {
        key = RawKey(context, key ?? "");
        try
        {
            var value = await ReadBodyAsync(context.Request, KvKeys.DefaultMaxValueBytes, context.RequestAborted);
            if (value is null)
            {
                return HttpProblems.TooLarge(KvKeys.DefaultMaxValueBytes);
            }
            var cas = cas_version;
            if (cas is null && context.Request.Headers.IfMatch.FirstOrDefault() is { } ifMatch
                && long.TryParse(ifMatch.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var matched))
            {
                cas = matched;
            }
            var version = await Api(context).PutAsync(ns, key, value,
                new KvPutCondition { TtlSeconds = ttl_seconds, CasVersion = cas, IfNotExists = if_not_exists ?? false }, context.RequestAborted);
            return Results.Ok(new KvPutJson(key, version));
        }
        catch (Exception e) when (HttpProblems.IsExpected(e))
        {
            return HttpProblems.From(e);
        }
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string ns, string? key)
    {
        key = RawKey(context, key ?? "");
        try
        {
            return Results.Ok(new KvDeleteJson(key, await Api(context).DeleteAsync(ns, key, context.RequestAborted)));
        }
        catch (Exception e) when (HttpProblems.IsExpected(e))
        {
            return HttpProblems.From(e);
        }
    }

    private static async Task<IResult> ScanAsync(HttpContext context, string ns, string? prefix, int? limit, string? cursor)
    {
        try
        {
            var page = await Api(context).ScanAsync(ns, prefix ?? "", limit ?? KvKeys.DefaultScanLimit, cursor, context.RequestAborted);
            return Results.Ok(new KvScanJson(page.Keys, page.HasMore, page.Cursor));
        }
        catch (Exception e) when (HttpProblems.IsExpected(e))
        {
            return HttpProblems.From(e);
        }
    }

    private static async Task<IResult> HistoryAsync(HttpContext context, string ns, string? key, int? limit)
    {
        key = RawKey(context, key ?? "");
        try
        {
            var versions = await Api(context).HistoryAsync(ns, key, limit ?? 10, context.RequestAborted);
            return Results.Ok(new KvHistoryJson(key, versions.Select(ToJson).ToList()));
        }
        catch (Exception e) when (HttpProblems.IsExpected(e))
        {
            return HttpProblems.From(e);
        }
    }

    private static async Task WatchAsync(HttpContext context, string ns, string? key, long? from_version)
    {
        key = RawKey(context, key ?? "");
        IAsyncEnumerator<KvVersion> versions;
        try
        {
            versions = Api(context).WatchAsync(ns, key, from_version ?? 0, context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
            KvKeys.ValidateNamespace(ns);
            KvKeys.ValidateKey(key);
        }
        catch (Exception e) when (HttpProblems.IsExpected(e))
        {
            await HttpProblems.From(e).ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            while (await versions.MoveNextAsync())
            {
                await JsonSerializer.SerializeAsync(context.Response.Body, ToJson(versions.Current), cancellationToken: context.RequestAborted);
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            await versions.DisposeAsync();
        }
    }

    private static KvVersionJson ToJson(KvVersion v)
        => new(v.Version, v.TimestampMs, v.Value is null ? null : Convert.ToBase64String(v.Value), v.IsTombstone, v.ExpiresAtMs == 0 ? null : v.ExpiresAtMs, v.Skipped == 0 ? null : v.Skipped);

    private static bool WantsJson(HttpContext context, string? format)
        => string.Equals(format, "json", StringComparison.OrdinalIgnoreCase)
           || context.Request.Headers.Accept.Any(a => a is not null && a.Contains("application/json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the body up to <paramref name="limit"/> bytes; null when it is larger (nothing more is buffered).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

/// <summary>A key's value as JSON.</summary>
internal sealed record KvEntryJson(string key, string value, long version, long created_ms, long updated_ms, long? expires_at_ms);

/// <summary>A put's result.</summary>
internal sealed record KvPutJson(string key, long version);

/// <summary>A delete's result.</summary>
internal sealed record KvDeleteJson(string key, bool deleted);

/// <summary>A scan page.</summary>
internal sealed record KvScanJson(IReadOnlyList<string> keys, bool has_more, string? cursor);

/// <summary>One version.</summary>
internal sealed record KvVersionJson(long version, long timestamp_ms, string? value, bool tombstone, long? expires_at_ms, long? skipped = null);

/// <summary>A key's history.</summary>
internal sealed record KvHistoryJson(string key, IReadOnlyList<KvVersionJson> versions);
