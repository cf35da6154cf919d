using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Flo.Tests.Shared;

namespace Flo.Kv.Tests;

/// <summary>The KV store over HTTP/JSON on the silo's HTTP port.</summary>
[Trait("Category", "Kv")]
public sealed class HttpApiTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private static string NewKey(string prefix = "h") => $"{prefix}:{Guid.NewGuid():N}";

    private static string Url(string key, string ns = "default", string route = "kv") => $"/v1/ns/{ns}/{route}/{Uri.EscapeDataString(key)}";

    [Fact]
    public async Task PutThenGetRawAndJsonWithVersionHeaders()
    {
        var key = NewKey() + "/with/slashes";
        var put = await http.PutAsync(Url(key), new ByteArrayContent(Encoding.UTF8.GetBytes("John")));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(1, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());

        var raw = await http.GetAsync(Url(key));
        Assert.Equal("John", await raw.Content.ReadAsStringAsync());
        Assert.Equal("1", raw.Headers.GetValues("Flo-Version").Single());
        Assert.Equal("\"1\"", raw.Headers.ETag!.Tag);
        Assert.False(raw.Headers.Contains("Flo-Expires-At-Ms"));

        var json = await http.GetFromJsonAsync<JsonElement>(Url(key) + "?format=json");
        Assert.Equal(key, json.GetProperty("key").GetString());
        Assert.Equal("John", Encoding.UTF8.GetString(Convert.FromBase64String(json.GetProperty("value").GetString()!)));
        // One store: the client sees what HTTP wrote.
        Assert.Equal("John", Encoding.UTF8.GetString((await fixture.Client.Kv.GetAsync(key))!.Value));
        await AssertProblemAsync(await http.GetAsync(Url(NewKey("missing"))), HttpStatusCode.NotFound, "KeyNotFound");
    }

    [Fact]
    public async Task ConditionsTtlDeleteAndHistory()
    {
        var key = NewKey();
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync(Url(key) + "?if_not_exists=true&ttl_seconds=3600", new ByteArrayContent([1]))).StatusCode);
        var exists = await http.PutAsync(Url(key) + "?if_not_exists=true", new ByteArrayContent([2]));
        var problem = await AssertProblemAsync(exists, HttpStatusCode.Conflict, "KeyExists");
        Assert.Equal(1, problem.GetProperty("current_version").GetInt64());
        var conflict = await http.PutAsync(Url(key) + "?cas_version=5", new ByteArrayContent([3]));
        Assert.Equal(1, (await AssertProblemAsync(conflict, HttpStatusCode.Conflict, "VersionConflict")).GetProperty("current_version").GetInt64());
        var withIfMatch = new HttpRequestMessage(HttpMethod.Put, Url(key)) { Content = new ByteArrayContent([4]) };
        withIfMatch.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withIfMatch)).StatusCode);
        Assert.True((await http.GetAsync(Url(key))).Headers.Contains("Flo-Version"));

        var deleted = await (await http.DeleteAsync(Url(key))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.False((await (await http.DeleteAsync(Url(key))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleted").GetBoolean());
        var history = await http.GetFromJsonAsync<JsonElement>(Url(key, route: "kv-history"));
        var versions = history.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal([3L, 2, 1], versions.Select(v => v.GetProperty("version").GetInt64()));
        Assert.True(versions[0].GetProperty("tombstone").GetBoolean());
    }

    [Fact]
    public async Task ScanPagesWithACursor()
    {
        var prefix = $"hscan-{Guid.NewGuid():N}:";
        var keys = Enumerable.Range(0, 25).Select(i => $"{prefix}{i:D2}").ToList();
        foreach (var k in keys)
        {
            await http.PutAsync(Url(k), new ByteArrayContent([0]));
        }
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/kv?prefix={Uri.EscapeDataString(prefix)}&limit=10" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!));
            cursor = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("cursor").GetString() : null;
        }
        while (cursor is not null);
        Assert.Equal(keys, seen);
        await AssertProblemAsync(await http.GetAsync("/v1/ns/default/kv?cursor=garbage"), HttpStatusCode.BadRequest, "InvalidCursor");
        await AssertProblemAsync(await http.GetAsync("/v1/ns/default/kv?limit=0"), HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task ABlockingGetIsReleasedByAPutAndAWatchStreamsVersions()
    {
        var key = NewKey();
        var waiting = http.GetAsync(Url(key) + "?block_ms=10000");
        await Task.Delay(200);
        await http.PutAsync(Url(key), new ByteArrayContent(Encoding.UTF8.GetBytes("now")));
        Assert.Equal("now", await (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Content.ReadAsStringAsync());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = await http.GetAsync(Url(key, route: "kv-watch") + "?from_version=0", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(cts.Token));
        await http.PutAsync(Url(key), new ByteArrayContent([2]));
        var first = JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!).RootElement;
        var second = JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!).RootElement;
        Assert.Equal(1, first.GetProperty("version").GetInt64());
        Assert.Equal(2, second.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task BadInputIsRejectedAndNothingIsStored()
    {
        var key = NewKey();
        await AssertProblemAsync(await http.PutAsync(Url(key, ns: "bad ns"), new ByteArrayContent([1])), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PutAsync(Url(new string('k', 600)), new ByteArrayContent([1])), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PutAsync(Url(key) + "?ttl_seconds=-1", new ByteArrayContent([1])), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PutAsync(Url(key), new ByteArrayContent(new byte[KvKeys.DefaultMaxValueBytes + 1])), HttpStatusCode.RequestEntityTooLarge, "ValueTooLarge");
        Assert.Null(await fixture.Client.Kv.GetAsync(key));
    }

    [Fact]
    public async Task TheOpenApiDocumentListsEveryKvRoute()
    {
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/ns/{ns}/kv/{key}", paths);
        Assert.Contains("/v1/ns/{ns}/kv", paths);
        Assert.Contains("/v1/ns/{ns}/kv-history/{key}", paths);
        Assert.Contains("/v1/ns/{ns}/kv-watch/{key}", paths);
        var item = doc.GetProperty("paths").GetProperty("/v1/ns/{ns}/kv/{key}");
        Assert.True(item.TryGetProperty("get", out _) && item.TryGetProperty("put", out _) && item.TryGetProperty("delete", out _));
    }

    [Fact]
    public async Task TheOpenApiDocumentListsErrorResponsesAsProblems()
    {
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var key = doc.GetProperty("paths").GetProperty("/v1/ns/{ns}/kv/{key}");
        AssertProblemResponses(key.GetProperty("put"), "200", "400", "409", "413");
        AssertProblemResponses(key.GetProperty("get"), "200", "400", "404");
        AssertProblemResponses(doc.GetProperty("paths").GetProperty("/v1/ns/{ns}/kv").GetProperty("get"), "200", "400");

        static void AssertProblemResponses(JsonElement operation, string ok, params string[] errors)
        {
            var responses = operation.GetProperty("responses");
            Assert.True(responses.TryGetProperty(ok, out _), $"no {ok} response in {responses}");
            foreach (var status in errors)
            {
                Assert.True(responses.TryGetProperty(status, out var response), $"no {status} response in {responses}");
                Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{status} is not application/problem+json: {response}");
            }
        }
    }

    [Fact]
    public async Task ErrorsAspNetCoreAnswersItselfAreProblemsWithStableCodes()
    {
        var key = NewKey();
        // An empty key (the key route with nothing after it).
        await AssertProblemAsync(await http.PutAsync("/v1/ns/default/kv/", new ByteArrayContent([1])), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.GetAsync("/v1/ns/default/kv-history/"), HttpStatusCode.BadRequest, "InvalidArgument");
        // A query value of the wrong type: the problem names the parameter.
        var ttl = await AssertProblemAsync(await http.PutAsync(Url(key) + "?ttl_seconds=soon", new ByteArrayContent([1])), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("ttl_seconds", ttl.GetProperty("detail").GetString());
        await AssertProblemAsync(await http.GetAsync(Url(key) + "?block_ms=x"), HttpStatusCode.BadRequest, "InvalidArgument");
        // No such route, and a method the route does not take.
        await AssertProblemAsync(await http.GetAsync("/v1/nope"), HttpStatusCode.NotFound, "NotFound");
        await AssertProblemAsync(await http.GetAsync("/v1/ns/default/kvv/x"), HttpStatusCode.NotFound, "NotFound");
        var patch = await AssertProblemAsync(await http.PatchAsync(Url(key), new ByteArrayContent([1])), HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
        Assert.Contains("PUT", patch.GetProperty("detail").GetString());
        await AssertProblemAsync(await http.PostAsync("/v1/ns/default/kv", new ByteArrayContent([1])), HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
        Assert.Null(await fixture.Client.Kv.GetAsync(key));
    }

    [Fact]
    public async Task ANulInAKeyIsRefusedAndNothingIsStored()
    {
        // Kestrel refuses %00 in a request path while it parses the request line, before any middleware runs: a 400
        // without a body is all it sends, and it closes the connection. The key cannot be reached, nothing is stored.
        var key = NewKey("nul");
        using var fresh = new HttpClient { BaseAddress = http.BaseAddress };
        var response = await fresh.PutAsync($"/v1/ns/default/kv/{key}%00x", new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(await fixture.Client.Kv.GetAsync(key));
        await Assert.ThrowsAsync<KvArgumentException>(() => fixture.Client.Kv.PutAsync(key + "\0x", [1]));
        // A NUL that arrives encoded twice is a key of its own ("%00" as text), not a NUL.
        var literal = key + "%00x";
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync(Url(literal), new ByteArrayContent([2]))).StatusCode);
        Assert.Equal([2], (await fixture.Client.Kv.GetAsync(literal))!.Value);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    public void Dispose() => http.Dispose();
}
