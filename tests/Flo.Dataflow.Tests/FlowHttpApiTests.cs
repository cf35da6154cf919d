using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flo.Actions.Tests;
using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>
/// Flow runs over HTTP/JSON on the silo's HTTP port: a run started by the client read, waited for and watched (events
/// as server-sent events), its nodes inspected, cancelled and rerun, and typed problems for missing runs and bad input.
/// </summary>
[Trait("Category", "Dataflow")]
public sealed class FlowHttpApiTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private FloClient Client => fixture.Client;

    private static string RunUrl(string ns, string runId, string op = "") => $"/v1/ns/{ns}/flows/runs/{runId}{(op.Length > 0 ? "/" + op : "")}";

    /// <summary>A generation as sent: the seed's tuple as a JSON array, <c>[3]</c>.</summary>
    private static string Tuple(JsonElement generation) => generation.GetRawText();

    [Fact]
    public async Task ARunItsNodesAndItsEventsReadOverHttp()
    {
        var ns = FlowRuns.NewNamespace();
        await using var run = await Client.Flow.StartAsync(CycleBreaking.Build(_ => { }), CycleBreaking.Options with { Namespace = ns });

        var result = await http.GetFromJsonAsync<JsonElement>(RunUrl(ns, run.RunId) + "?wait_ms=30000");
        Assert.Equal((run.RunId, ns, "cycle-breaking"), (result.GetProperty("run_id").GetString(), result.GetProperty("namespace").GetString(), result.GetProperty("flow").GetString()));
        Assert.Equal(("limit_reached", "a"), (result.GetProperty("status").GetString(), result.GetProperty("limit_node").GetString()));
        Assert.True(result.GetProperty("finished_at_ms").GetInt64() >= result.GetProperty("started_at_ms").GetInt64());
        Assert.Equal(0, result.GetProperty("node_errors").GetArrayLength());
        var nodes = result.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("name").GetString()!);
        Assert.Equal(("[3]", 15, "completed"), (Tuple(nodes["a"].GetProperty("generation")), nodes["a"].GetProperty("value").GetInt32(), nodes["a"].GetProperty("status").GetString()));
        Assert.Equal(("[2]", 14, "Double"), (Tuple(nodes["b"].GetProperty("generation")), nodes["b"].GetProperty("value").GetInt32(), nodes["b"].GetProperty("node_type").GetString()));

        var detail = (await http.GetFromJsonAsync<JsonElement>(RunUrl(ns, run.RunId, "nodes"))).GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["a", "b"], detail.Select(n => n.GetProperty("name").GetString()));
        var a = await http.GetFromJsonAsync<JsonElement>(RunUrl(ns, run.RunId, "nodes/a"));
        Assert.Equal((3, 4L, 15), (a.GetProperty("completed").GetInt32(), a.GetProperty("applied").GetInt64(), a.GetProperty("outputs")[0].GetInt32()));
        Assert.Equal(JsonValueKind.Null, a.GetProperty("running").ValueKind);
        var runs = a.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], runs.Select(r => r.GetProperty("generation").GetInt32()));
        Assert.All(runs, r => Assert.Equal("completed", r.GetProperty("outcome").GetString()));
        Assert.All(runs, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("action_run_id").GetString())));

        // The events from the run's start, ending after run_finished (the stream closes by itself).
        using var timeout = new CancellationTokenSource(FlowRuns.Patience);
        using var response = await http.GetAsync(RunUrl(ns, run.RunId, "events"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<JsonElement>();
        while (await NextMessageAsync(reader, timeout.Token) is var (name, data) && data is not null)
        {
            if (name is null)
            {
                events.Add(JsonDocument.Parse(data).RootElement.Clone());
            }
        }
        Assert.Equal("run_started", events[0].GetProperty("kind").GetString());
        Assert.Equal(("run_finished", "limit_reached"), (events[^1].GetProperty("kind").GetString(), events[^1].GetProperty("status").GetString()));
        var completed = events.Where(e => e.GetProperty("kind").GetString() == "node_completed")
            .Select(e => $"{e.GetProperty("node").GetString()}{e.GetProperty("generation").GetInt32()}={e.GetProperty("value").GetInt32()}");
        Assert.Equal(["a0=1", "b0=2", "a1=3", "b1=6", "a2=7", "b2=14", "a3=15"], completed);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task ARunIsCancelledAndRerunOverHttp()
    {
        var ns = FlowRuns.NewNamespace();
        var tick = Flow.Node("Tick", async (int count = 0) =>
        {
            await Task.Delay(20);
            return count + 1;
        });
        var f = new FlowBuilder("ticks");
        f["tick"] = tick(f["tick"]);
        // The run's worker (this process) hosts Tick for the rerun too, until the run is disposed.
        await using var run = await Client.Flow.StartAsync(f.Build(), new FlowRunOptions { Namespace = ns });
        using (var timeout = new CancellationTokenSource(FlowRuns.Patience))
        {
            while ((await run.GetNodeAsync("tick", timeout.Token)).Completed < 2)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        var cancel = await http.PostAsync(RunUrl(ns, run.RunId, "cancel"), null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.True((await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());
        var cancelled = await http.GetFromJsonAsync<JsonElement>(RunUrl(ns, run.RunId) + "?wait_ms=30000");
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.False((await (await http.PostAsync(RunUrl(ns, run.RunId, "cancel"), null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());

        // A rerun of the same flow with a limit this time, under a chosen id; asking again gives the same run.
        var rerun = await http.PostAsJsonAsync(RunUrl(ns, run.RunId, "rerun"), new { run_id = "again", stop_at = 4 });
        Assert.Equal(HttpStatusCode.Accepted, rerun.StatusCode);
        Assert.Equal("again", (await rerun.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString());
        Assert.Equal(RunUrl(ns, "again"), rerun.Headers.Location?.OriginalString);
        var again = await http.GetFromJsonAsync<JsonElement>(RunUrl(ns, "again") + "?wait_ms=30000");
        Assert.Equal(("limit_reached", "ticks"), (again.GetProperty("status").GetString(), again.GetProperty("flow").GetString()));
        var node = again.GetProperty("nodes")[0];
        Assert.Equal(("[4]", 5), (Tuple(node.GetProperty("generation")), node.GetProperty("value").GetInt32()));
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync(RunUrl(ns, run.RunId, "rerun"), new { run_id = "again" })).StatusCode);
        Assert.Equal(again.GetProperty("started_at_ms").GetInt64(), (await Client.Flow.GetAsync("again", new FlowCallOptions(ns))).StartedAtMs);

        // Without a body: a new id, the original's settings (no limit), cancelled here.
        var fresh = await http.PostAsync(RunUrl(ns, run.RunId, "rerun"), null);
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        var freshId = (await fresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
        Assert.True(await Client.Flow.CancelAsync(freshId, new FlowCallOptions(ns)));
    }

    [Fact]
    public async Task MissingRunsAndNodesAndBadInputAreProblems()
    {
        var ns = FlowRuns.NewNamespace();
        var result = await Client.RunAsync(Quickstart.BuildForwardReference(), new FlowRunOptions { Namespace = ns });
        const string missing = "no-such-run";
        foreach (var get in new[] { RunUrl(ns, missing), RunUrl(ns, missing, "nodes"), RunUrl(ns, missing, "nodes/x"), RunUrl(ns, missing, "events"), RunUrl(ns, missing) + "?wait_ms=10" })
        {
            await HttpChecks.AssertProblemAsync(await http.GetAsync(get), HttpStatusCode.NotFound, "FlowRunNotFound");
        }
        await HttpChecks.AssertProblemAsync(await http.PostAsync(RunUrl(ns, missing, "cancel"), null), HttpStatusCode.NotFound, "FlowRunNotFound");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(RunUrl(ns, missing, "rerun"), null), HttpStatusCode.NotFound, "FlowRunNotFound");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(ns, result.RunId, "nodes/nobody")), HttpStatusCode.NotFound, "FlowNodeNotFound");

        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl("bad!ns", result.RunId)), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(ns, "bad!id")), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(ns, new string('r', 65))), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(ns, result.RunId) + "?wait_ms=-1"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(ns, result.RunId) + "?wait_ms=soon"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(RunUrl(ns, result.RunId, "rerun"), new { stop_at_node = new { nobody = 1 } }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(RunUrl(ns, result.RunId, "rerun"), new { stop_at = -1 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(RunUrl(ns, result.RunId, "rerun"), new { run_id = "bad id" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(RunUrl(ns, result.RunId, "rerun"), new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(RunUrl(ns, result.RunId, "rerun"), new StringContent("{}", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        // Nothing above started a run: the namespace still holds the one.
        await Assert.ThrowsAsync<FlowRunNotFoundException>(() => Client.Flow.GetAsync("bad-id", new FlowCallOptions(ns)));
    }

    [Fact]
    public async Task RunsAreListedAndDeletedOverHttp()
    {
        var ns = FlowRuns.NewNamespace();
        var first = await Client.RunAsync(Quickstart.BuildForwardReference(), new FlowRunOptions { Namespace = ns });
        var second = await Client.RunAsync(Quickstart.BuildForwardReference(), new FlowRunOptions { Namespace = ns });
        var list = $"/v1/ns/{ns}/flows/runs";
        using (var timeout = new CancellationTokenSource(FlowRuns.Patience))
        {
            // The index follows each run's status shortly after it changes.
            while ((await http.GetFromJsonAsync<JsonElement>(list + "?status=completed", timeout.Token)).GetProperty("runs").GetArrayLength() < 2)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
        var page = await http.GetFromJsonAsync<JsonElement>(list + "?limit=1");
        var newest = page.GetProperty("runs")[0];
        Assert.Equal((second.RunId, "completed"), (newest.GetProperty("run_id").GetString(), newest.GetProperty("status").GetString()));
        Assert.True(newest.GetProperty("finished_at_ms").GetInt64() >= newest.GetProperty("started_at_ms").GetInt64());
        var next = await http.GetFromJsonAsync<JsonElement>(list + "?limit=1&cursor=" + Uri.EscapeDataString(page.GetProperty("next_cursor").GetString()!));
        Assert.Equal(first.RunId, next.GetProperty("runs")[0].GetProperty("run_id").GetString());
        Assert.Equal(JsonValueKind.Null, next.GetProperty("next_cursor").ValueKind);
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>(list + "?status=limit_reached")).GetProperty("runs").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(RunUrl(ns, first.RunId))).StatusCode);
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(ns, first.RunId)), HttpStatusCode.NotFound, "FlowRunNotFound");
        await HttpChecks.AssertProblemAsync(await http.DeleteAsync(RunUrl(ns, first.RunId)), HttpStatusCode.NotFound, "FlowRunNotFound");
        Assert.Equal([second.RunId], (await http.GetFromJsonAsync<JsonElement>(list)).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run_id").GetString()));

        var tick = Flow.Node("Tick", async (int count = 0) =>
        {
            await Task.Delay(20);
            return count + 1;
        });
        var f = new FlowBuilder("ticks");
        f["tick"] = tick(f["tick"]);
        await using var running = await Client.Flow.StartAsync(f.Build(), new FlowRunOptions { Namespace = ns });
        var conflict = await http.DeleteAsync(RunUrl(ns, running.RunId));
        await HttpChecks.AssertProblemAsync(conflict, HttpStatusCode.Conflict, "FlowRunNotFinished");
        Assert.True(await running.CancelAsync());

        await HttpChecks.AssertProblemAsync(await http.GetAsync(list + "?status=sleeping"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(list + "?limit=0"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(list + "?cursor=nonsense"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync("/v1/ns/bad!ns/flows/runs"), HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task EveryFlowRouteIsInTheOpenApiDocument()
    {
        var paths = (await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");
        const string run = "/v1/ns/{ns}/flows/runs/{run_id}";
        const string runs = "/v1/ns/{ns}/flows/runs";
        HttpChecks.AssertRoutes(paths, [
            (runs, "get"), (run, "delete"), (run, "get"), (run + "/nodes", "get"), (run + "/nodes/{node}", "get"), (run + "/events", "get"), (run + "/cancel", "post"), (run + "/rerun", "post")]);
        HttpChecks.AssertProblems(paths.GetProperty(run).GetProperty("get"), "200", "400", "404");
        HttpChecks.AssertProblems(paths.GetProperty(run + "/nodes/{node}").GetProperty("get"), "200", "400", "404");
        HttpChecks.AssertProblems(paths.GetProperty(run + "/rerun").GetProperty("post"), "202", "400", "404", "415");
        HttpChecks.AssertProblems(paths.GetProperty(runs).GetProperty("get"), "200", "400");
        HttpChecks.AssertProblems(paths.GetProperty(run).GetProperty("delete"), "204", "400", "404", "409");
        Assert.True(paths.GetProperty(run + "/events").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
        Assert.Equal("flows", paths.GetProperty(run).GetProperty("get").GetProperty("tags")[0].GetString());
    }

    public void Dispose() => http.Dispose();

    /// <summary>The next server-sent message: its event name (null when unnamed) and data; null data at the stream's end.</summary>
    private static async Task<(string? Name, string? Data)> NextMessageAsync(StreamReader reader, CancellationToken cancellationToken)
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
        return (null, null);
    }
}
