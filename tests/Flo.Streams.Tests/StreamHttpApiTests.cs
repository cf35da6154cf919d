using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flo.Tests.Shared;

namespace Flo.Streams.Tests;

/// <summary>Streams over HTTP/JSON: records, info, groups, problems, and the OpenAPI document.</summary>
public sealed class StreamHttpApiTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private static string NewStream() => $"h-{Guid.NewGuid():N}";

    private static string Url(string s, string path) => $"/v1/ns/default/streams/{s}/{path}";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private async Task<string> AppendAsync(string s, string text)
    {
        var response = await http.PostAsJsonAsync(Url(s, "records"), new { payload = B64(text), headers = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task AppendReadTailAndInfoOverHttp()
    {
        var s = NewStream();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await AppendAsync(s, $"e{i}"));
        }
        var all = (await http.GetFromJsonAsync<JsonElement>(Url(s, "records"))).GetProperty("records");
        Assert.Equal(ids, all.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("e0", Encoding.UTF8.GetString(Convert.FromBase64String(all[0].GetProperty("payload").GetString()!)));
        Assert.Equal("v", all[0].GetProperty("headers").GetProperty("k").GetString());
        var from = (await http.GetFromJsonAsync<JsonElement>(Url(s, $"records?start={ids[3]}"))).GetProperty("records");
        Assert.Equal(ids[3..], from.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var tail = (await http.GetFromJsonAsync<JsonElement>(Url(s, "records?tail=true&count=2"))).GetProperty("records");
        Assert.Equal(ids[3..], tail.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var info = await http.GetFromJsonAsync<JsonElement>(Url(s, "info"));
        Assert.Equal(5, info.GetProperty("length").GetInt64());
        Assert.Equal(ids[^1], info.GetProperty("last_id").GetString());
        // One store: the client reads what HTTP appended.
        Assert.Equal(5, (await fixture.Client.Stream.ReadAsync(s)).Count);
    }

    [Fact]
    public async Task ConsumerGroupsOverHttp()
    {
        var s = NewStream();
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync(Url(s, "groups/g/join"), new { consumer = "a", start_after = "0-0", settings = new { ack_timeout_ms = 60_000, max_deliveries = 3, consumer_timeout_ms = 600_000, dlq_max_size = 10 } })).StatusCode);
        var id = await AppendAsync(s, "x");
        var read = await http.PostAsJsonAsync(Url(s, "groups/g/read"), new { consumer = "a", count = 10 });
        var records = (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records");
        Assert.Equal(id, records[0].GetProperty("id").GetString());
        Assert.Equal(1, records[0].GetProperty("deliveries").GetInt32());
        var pending = (await http.GetFromJsonAsync<JsonElement>(Url(s, "groups/g/pending"))).GetProperty("entries");
        Assert.Equal("a", pending[0].GetProperty("consumer").GetString());
        var ack = await http.PostAsJsonAsync(Url(s, "groups/g/ack"), new { records = new[] { new { partition = 0, id } } });
        Assert.Equal(1, (await ack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acked").GetInt32());
        var info = await http.GetFromJsonAsync<JsonElement>(Url(s, "groups/g"));
        Assert.Equal((0, 0), (info.GetProperty("pending").GetInt64(), info.GetProperty("lag").GetInt64()));
        Assert.Equal(["g"], (await fixture.Client.Stream.InfoAsync(s)).Groups);
    }

    [Fact]
    public async Task ProblemsForUnknownGroupsMalformedIdsAndBadInput()
    {
        var s = NewStream();
        await AppendAsync(s, "x");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(s, "groups/nope/read"), new { consumer = "a" }), HttpStatusCode.NotFound, "GroupNotFound");
        await AssertProblemAsync(await http.GetAsync(Url(s, "records?start=12-x")), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.GetAsync(Url(s, "records?count=0")), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(s, "records"), new { payload = "%%" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(s, "records"), new { payload = Convert.ToBase64String(new byte[StreamLimits.MaxPayloadBytes + 1]) }), HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task EveryStreamOperationIsInTheOpenApiDocument()
    {
        var paths = (await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");
        foreach (var path in new[] { "records", "info", "settings", "groups/{group}/join", "groups/{group}/read", "groups/{group}/ack", "groups/{group}/pending", "groups/{group}/claim", "groups/{group}/leave", "groups/{group}", "groups/{group}/dlq" })
        {
            Assert.True(paths.TryGetProperty($"/v1/ns/{{ns}}/streams/{{name}}/{path}", out _), $"{path} is missing from the OpenAPI document");
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    public void Dispose() => http.Dispose();
}
