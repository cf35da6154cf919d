using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flo.Queues;
using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>
/// The management API over HTTP: namespaces, cluster, a namespace's overview, queue and stream overviews, the event
/// stream (server-sent events) and run retry, with problems for bad input and every route in the OpenAPI document.
/// </summary>
[Trait("Category", "Actions")]
public sealed class ManagementHttpApiTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private FloClient In(string ns) => new(fixture.Client.Grains, fixture.Client.Options with { Namespace = ns });

    private static string NewNamespace() => $"h-{Guid.NewGuid():N}";

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task TheOverviewsAnswerSnakeCaseJson()
    {
        var ns = NewNamespace();
        var client = In(ns);
        await client.Action.RegisterAsync("noop");
        await client.Queue.EnqueueAsync("q", [1, 2]);
        await client.Queue.EnqueueAsync("q", [3]);
        await client.Stream.AppendAsync("s", [1]);

        var overview = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/{ns}/overview");
        Assert.Equal(ns, overview.GetProperty("namespace").GetString());
        Assert.Equal(0, overview.GetProperty("runs").GetProperty("timed_out").GetInt64());
        Assert.Equal(15, overview.GetProperty("throughput").GetArrayLength());
        Assert.True(overview.GetProperty("throughput")[0].TryGetProperty("minute_ms", out _));
        Assert.Equal(0, overview.GetProperty("workers").GetProperty("alive").GetInt32());
        Assert.Equal((1, 1, 1, 0), (overview.GetProperty("actions").GetInt32(), overview.GetProperty("queues").GetInt32(), overview.GetProperty("streams").GetInt32(), overview.GetProperty("schedules").GetProperty("total").GetInt32()));

        var queue = Assert.Single((await http.GetFromJsonAsync<JsonElement>($"/v1/ns/{ns}/queues/overview")).GetProperty("queues").EnumerateArray());
        Assert.Equal(("q", 2L, 2L, 0L, 0L), (queue.GetProperty("name").GetString(), queue.GetProperty("depth").GetInt64(), queue.GetProperty("visible").GetInt64(), queue.GetProperty("in_flight").GetInt64(), queue.GetProperty("dlq_size").GetInt64()));
        var stream = Assert.Single((await http.GetFromJsonAsync<JsonElement>($"/v1/ns/{ns}/streams/overview")).GetProperty("streams").EnumerateArray());
        Assert.Equal(("s", 1L), (stream.GetProperty("name").GetString(), stream.GetProperty("length").GetInt64()));
        Assert.Equal(JsonValueKind.Array, stream.GetProperty("groups").ValueKind);

        var namespaces = (await http.GetFromJsonAsync<JsonElement>("/v1/namespaces")).GetProperty("namespaces").EnumerateArray().Select(n => n.GetString());
        Assert.Contains(ns, namespaces);
        var cluster = await http.GetFromJsonAsync<JsonElement>("/v1/cluster");
        var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray());
        Assert.Equal("active", silo.GetProperty("status").GetString());
        Assert.True(silo.GetProperty("activations").GetInt32() > 0);
        Assert.Equal(silo.GetProperty("activations").GetInt64(), cluster.GetProperty("activations").GetInt64());
    }

    [Fact]
    public async Task TheEventStreamSaysReadyThenCarriesEveryRunEventInOrder()
    {
        var ns = NewNamespace();
        var client = In(ns);
        await client.Action.RegisterAsync("echo");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/ns/{ns}/events");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Patience);
        var (name, data) = await NextMessageAsync(reader, timeout.Token);
        Assert.Equal("ready", name);

        // Subscribed before "ready": what happens from now on is all on the stream.
        await using var worker = client.NewActionWorker();
        worker.Action("echo", ctx => Task.FromResult(ctx.Payload));
        await worker.StartAsync();
        var runId = await client.Action.InvokeAsync("echo", Encoding.UTF8.GetBytes("hi"));
        var kinds = new List<string>();
        while (!kinds.Contains("completed"))
        {
            (name, data) = await NextMessageAsync(reader, timeout.Token);
            if (name is not null)
            {
                continue; // a ping
            }
            var e = JsonDocument.Parse(data).RootElement;
            Assert.Equal((ns, "echo", runId), (e.GetProperty("namespace").GetString(), e.GetProperty("action").GetString(), e.GetProperty("run_id").GetString()));
            kinds.Add(e.GetProperty("kind").GetString()!);
            if (kinds[^1] == "completed")
            {
                Assert.Equal("completed", e.GetProperty("status").GetString());
                Assert.Equal(worker.WorkerId, e.GetProperty("worker_id").GetString());
            }
        }
        Assert.Equal(["created", "started", "completed"], kinds);
    }

    /// <summary>The next server-sent message: its event name (null when unnamed) and data.</summary>
    private static async Task<(string? Name, string Data)> NextMessageAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0 || name is not null)
                {
                    return (name, data.ToString());
                }
                continue;
            }
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line["data:".Length..].TrimStart());
            }
        }
        throw new EndOfStreamException("The event stream ended.");
    }

    [Fact]
    public async Task RetryAnswersTheNewRunAndRefusesAnUnfinishedOne()
    {
        var ns = NewNamespace();
        var client = In(ns);
        await client.Action.RegisterAsync("parked");
        var runId = await client.Action.InvokeAsync("parked", Encoding.UTF8.GetBytes("x"));

        var refused = await http.PostAsync($"/v1/ns/{ns}/runs/{runId}/retry", null);
        var problem = await HttpChecks.AssertProblemAsync(refused, HttpStatusCode.Conflict, "RunNotFinished");
        Assert.Equal("pending", problem.GetProperty("run_status").GetString());
        await HttpChecks.AssertProblemAsync(await http.PostAsync($"/v1/ns/{ns}/runs/{new string('a', 32)}/retry", null), HttpStatusCode.NotFound, "RunNotFound");

        Assert.True(await client.Action.CancelAsync(runId));
        var retried = await http.PostAsync($"/v1/ns/{ns}/runs/{runId}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var newId = (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
        Assert.Equal($"/v1/ns/{ns}/runs/{newId}", retried.Headers.Location?.OriginalString);
        var run = await client.Action.GetRunAsync(newId);
        Assert.Equal((RunStatus.Pending, "parked", "x"), (run.Status, run.Action, Encoding.UTF8.GetString(run.Payload)));
    }

    [Fact]
    public async Task BadInputGetsProblems()
    {
        await HttpChecks.AssertProblemAsync(await http.GetAsync("/v1/ns/bad%20ns/overview"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync("/v1/ns/default/queues/overview?limit=0"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync("/v1/ns/default/streams/overview?limit=abc"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync("/v1/ns/bad%20ns/events"), HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task EveryManagementRouteIsInTheOpenApiDocument()
    {
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        HttpChecks.AssertRoutes(paths, [
            ("/v1/namespaces", "get"), ("/v1/cluster", "get"), ("/v1/ns/{ns}/overview", "get"), ("/v1/ns/{ns}/queues/overview", "get"),
            ("/v1/ns/{ns}/streams/overview", "get"), ("/v1/ns/{ns}/events", "get"), ("/v1/ns/{ns}/runs/{run_id}/retry", "post")]);
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/runs/{run_id}/retry").GetProperty("post"), "202", "400", "404", "409");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/overview").GetProperty("get"), "200", "400");
        Assert.True(paths.GetProperty("/v1/ns/{ns}/events").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
    }
}
