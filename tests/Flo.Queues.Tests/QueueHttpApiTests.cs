using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flo.Tests.Shared;

namespace Flo.Queues.Tests;

/// <summary>Queues over HTTP/JSON on the silo's HTTP port: every operation, the same store as the client, typed problems.</summary>
[Trait("Category", "Queues")]
public sealed class QueueHttpApiTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private static string NewQueue() => $"h-{Guid.NewGuid():N}";

    private static string Url(string q, string op, string ns = "default") => $"/v1/ns/{ns}/queues/{q}/{op}";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private async Task<long> EnqueueAsync(string q, string text, int priority = 0)
    {
        var response = await http.PostAsJsonAsync(Url(q, "messages"), new { payload = B64(text), priority });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
    }

    private async Task<JsonElement[]> DequeueAsync(string q, object body)
    {
        var response = await http.PostAsJsonAsync(Url(q, "dequeue"), body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messages").EnumerateArray()];
    }

    [Fact]
    public async Task EnqueueDequeueAckNackTouchPeekStatsOverHttp()
    {
        var q = NewQueue();
        var low = await EnqueueAsync(q, "low");
        var high = await EnqueueAsync(q, "high", priority: 5);

        var peeked = (await http.GetFromJsonAsync<JsonElement>(Url(q, "peek") + "?count=5")).GetProperty("messages");
        Assert.Equal(high, peeked[0].GetProperty("seq").GetInt64());
        Assert.Equal(JsonValueKind.Null, peeked[0].GetProperty("lease_expires_at_ms").ValueKind);

        var got = await DequeueAsync(q, new { count = 2, visibility_timeout_ms = 60_000 });
        Assert.Equal([high, low], got.Select(m => m.GetProperty("seq").GetInt64()));
        Assert.Equal("high", Encoding.UTF8.GetString(Convert.FromBase64String(got[0].GetProperty("payload").GetString()!)));
        Assert.Equal(1, got[0].GetProperty("deliveries").GetInt32());

        var touch = await http.PostAsJsonAsync(Url(q, "touch"), new { seqs = new[] { high }, visibility_timeout_ms = 120_000 });
        Assert.True((await touch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lease_expires_at_ms").GetInt64() > got[0].GetProperty("lease_expires_at_ms").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync(Url(q, "ack"), new { seqs = new[] { high } })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync(Url(q, "nack"), new { seqs = new[] { low }, to_dlq = true, error = "bad" })).StatusCode);

        var stats = await http.GetFromJsonAsync<JsonElement>(Url(q, "stats"));
        Assert.Equal(0, stats.GetProperty("depth").GetInt64());
        Assert.Equal(1, stats.GetProperty("dlq_size").GetInt64());
        // One store: the client sees what HTTP did.
        Assert.Equal(low, Assert.Single(await fixture.Client.Queue.DlqListAsync(q)).Seq);
    }

    [Fact]
    public async Task DlqListRequeueAndSettingsOverHttp()
    {
        var q = NewQueue();
        var settings = await http.PutAsJsonAsync(Url(q, "settings"), new { partitions = 1, max_deliveries = 3, default_visibility_timeout_ms = 10_000, dlq_max_size = 100, dedup_window_ms = 1_000 });
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Equal(3, (await http.GetFromJsonAsync<JsonElement>(Url(q, "settings"))).GetProperty("max_deliveries").GetInt32());

        var seq = await EnqueueAsync(q, "x");
        await DequeueAsync(q, new { count = 1 });
        await http.PostAsJsonAsync(Url(q, "nack"), new { seqs = new[] { seq }, to_dlq = true, error = "boom" });
        var dead = (await http.GetFromJsonAsync<JsonElement>(Url(q, "dlq"))).GetProperty("messages");
        Assert.Equal("boom", dead[0].GetProperty("last_error").GetString());

        var requeue = await http.PostAsync(Url(q, "dlq/requeue"), null);
        Assert.Equal(1, (await requeue.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requeued").GetInt32());
        var again = Assert.Single(await DequeueAsync(q, new { count = 1 }));
        Assert.Equal(1, again.GetProperty("deliveries").GetInt32());
    }

    [Fact]
    public async Task ALongPollOverHttpIsWokenByAClientEnqueue()
    {
        var q = NewQueue();
        var poll = DequeueAsync(q, new { count = 1, block_ms = 20_000 });
        await Task.Delay(300);
        var seq = await fixture.Client.Queue.EnqueueAsync(q, [1, 2, 3]);
        Assert.Equal(seq, Assert.Single(await poll).GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task BadRequestsGetProblemsWithStableCodes()
    {
        var q = NewQueue();
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(q, "dequeue"), new { count = 0 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(q, "messages"), new { payload = "%%%" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(q, "messages"), new { payload = B64("x"), delay_ms = -1 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsync(Url(q, "messages"), new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(q, "messages"), new { payload = Convert.ToBase64String(new byte[QueueLimits.MaxPayloadBytes + 1]) }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(q, "ack"), new { seqs = new[] { 256L * 77 } }), HttpStatusCode.NotFound, "MessageNotFound");
        var seq = await EnqueueAsync(q, "x");
        await DequeueAsync(q, new { count = 1, visibility_timeout_ms = 50 });
        await Task.Delay(300);
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(q, "touch"), new { seqs = new[] { seq } }), HttpStatusCode.Conflict, "LeaseExpired");
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>(Url(q, "stats"))).GetProperty("depth").GetInt64());
    }

    [Fact]
    public async Task AckingOrNackingAnEmptyListIsANoOpAndAnAckWithoutSeqsIsRefused()
    {
        var q = NewQueue();
        var seq = await EnqueueAsync(q, "x");
        await DequeueAsync(q, new { count = 1 });
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync(Url(q, "ack"), new { seqs = Array.Empty<long>() })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync(Url(q, "nack"), new { seqs = Array.Empty<long>(), to_dlq = true })).StatusCode);
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>(Url(q, "stats"))).GetProperty("in_flight").GetInt64());
        await AssertProblemAsync(await http.PostAsJsonAsync(Url(q, "ack"), new { }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await http.PostAsJsonAsync(Url("bad name", "ack"), new { seqs = Array.Empty<long>() }), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync(Url(q, "ack"), new { seqs = new[] { seq } })).StatusCode);
    }

    [Fact]
    public async Task ErrorsAspNetCoreAnswersItselfAreProblemsWithStableCodes()
    {
        var q = NewQueue();
        var wrongType = await AssertProblemAsync(await http.PostAsync(Url(q, "messages"), new StringContent("{}", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        Assert.Contains("application/json", wrongType.GetProperty("detail").GetString());
        await AssertProblemAsync(await http.DeleteAsync(Url(q, "messages")), HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
        await AssertProblemAsync(await http.GetAsync(Url(q, "nosuchoperation")), HttpStatusCode.NotFound, "NotFound");
        var count = await AssertProblemAsync(await http.GetAsync(Url(q, "peek") + "?count=many"), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("count", count.GetProperty("detail").GetString());
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>(Url(q, "stats"))).GetProperty("depth").GetInt64());
    }

    [Fact]
    public async Task TheOpenApiDocumentListsErrorResponsesAsProblems()
    {
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        AssertProblems(paths.GetProperty("/v1/ns/{ns}/queues/{name}/messages").GetProperty("post"), "201", "400", "415");
        AssertProblems(paths.GetProperty("/v1/ns/{ns}/queues/{name}/ack").GetProperty("post"), "204", "400", "404", "415");
        AssertProblems(paths.GetProperty("/v1/ns/{ns}/queues/{name}/touch").GetProperty("post"), "200", "400", "404", "409", "415");
        AssertProblems(paths.GetProperty("/v1/ns/{ns}/queues/{name}/stats").GetProperty("get"), "200", "400");

        static void AssertProblems(JsonElement operation, string ok, params string[] errors)
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
    public async Task EveryQueueOperationIsInTheOpenApiDocument()
    {
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var op in new[] { "messages", "dequeue", "ack", "nack", "touch", "peek", "dlq", "dlq/requeue", "stats", "settings" })
        {
            Assert.True(paths.TryGetProperty($"/v1/ns/{{ns}}/queues/{{name}}/{op}", out _), $"{op} is missing from the OpenAPI document");
        }
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
