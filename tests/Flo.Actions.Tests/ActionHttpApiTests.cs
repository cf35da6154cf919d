using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>
/// Actions over HTTP/JSON on the silo's HTTP port: register, invoke, read and wait for runs, listings, cancel,
/// idempotency, workers, and typed problems for bad input (with nothing stored). Runs complete on an
/// <see cref="ActionWorker"/> of the fixture's client: one store, whichever side acts.
/// </summary>
[Trait("Category", "Actions")]
public sealed class ActionHttpApiTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    /// <summary>How long a wait may see no progress before the test fails: generous, so only a stuck run fails it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private static string NewAction() => $"act-{Guid.NewGuid():N}";

    private static string ActionUrl(string action, string op = "", string ns = "default")
        => $"/v1/ns/{ns}/actions/{Uri.EscapeDataString(action)}{(op.Length > 0 ? "/" + op : "")}";

    private static string RunUrl(string runId, string op = "", string ns = "default") => $"/v1/ns/{ns}/runs/{runId}{(op.Length > 0 ? "/" + op : "")}";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static string Text(JsonElement base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64.GetString()!));

    private async Task<JsonElement> RegisterAsync(string action, object? settings = null)
    {
        var response = await http.PutAsJsonAsync(ActionUrl(action), settings ?? new { });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> InvokeAsync(string action, object body)
    {
        var response = await http.PostAsJsonAsync(ActionUrl(action, "invoke"), body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
        Assert.Equal($"/v1/ns/default/runs/{runId}", response.Headers.Location?.OriginalString);
        return runId;
    }

    private Task<JsonElement> GetRunAsync(string runId, int waitMs = 0)
        => http.GetFromJsonAsync<JsonElement>(RunUrl(runId) + (waitMs > 0 ? $"?wait_ms={waitMs}" : ""));

    private async Task<List<JsonElement>> ListAllRunsAsync(string query, int limit)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs?{query}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            var runs = page.GetProperty("runs").EnumerateArray().ToList();
            Assert.InRange(runs.Count, 0, limit);
            all.AddRange(runs);
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        return all;
    }

    /// <summary>Polls until <paramref name="done"/> holds (listings and counts follow a run's end right after it).</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not after {Patience}.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task RegisterInvokeAndWaitForTheResultOverHttp()
    {
        var action = NewAction();
        var registered = await RegisterAsync(action, new { timeout_ms = 60_000, max_retries = 2, priority = 7 });
        Assert.Equal(action, registered.GetProperty("name").GetString());
        Assert.Equal(60_000, registered.GetProperty("timeout_ms").GetInt64());
        Assert.Equal(2, registered.GetProperty("max_retries").GetInt32());
        Assert.Equal(1_000, registered.GetProperty("retry_delay_ms").GetInt64());
        Assert.Equal(1, registered.GetProperty("partitions").GetInt32());
        Assert.True(registered.GetProperty("registered_at_ms").GetInt64() > 0);
        Assert.Equal(7, (await http.GetFromJsonAsync<JsonElement>(ActionUrl(action))).GetProperty("priority").GetInt32());
        var listed = (await http.GetFromJsonAsync<JsonElement>("/v1/ns/default/actions")).GetProperty("actions").EnumerateArray();
        Assert.Contains(listed, a => a.GetProperty("name").GetString() == action);

        await using var worker = fixture.Client.NewActionWorker();
        worker.Action(action, ctx => Task.FromResult(ctx.ToBytes(new { doubled = ctx.Json<JsonElement>().GetProperty("n").GetInt32() * 2 })));
        await worker.StartAsync();

        var byJson = await InvokeAsync(action, new { payload_json = new { n = 21 } });
        var run = await GetRunAsync(byJson, waitMs: (int)Patience.TotalMilliseconds);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(action, run.GetProperty("action").GetString());
        Assert.Equal(7, run.GetProperty("priority").GetInt32());
        Assert.Equal(3, run.GetProperty("max_attempts").GetInt32());
        Assert.Equal("""{"n":21}""", Text(run.GetProperty("payload")));
        Assert.Equal("""{"doubled":42}""", Text(run.GetProperty("result")));
        Assert.True(run.GetProperty("finished_at_ms").GetInt64() >= run.GetProperty("submitted_at_ms").GetInt64());
        var attempt = Assert.Single(run.GetProperty("attempts").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("number").GetInt32());
        Assert.Equal("completed", attempt.GetProperty("outcome").GetString());
        Assert.Equal(worker.WorkerId, attempt.GetProperty("worker_id").GetString());

        // A base64 payload reaches the handler as the same bytes; the client sees what HTTP invoked.
        var byBase64 = await InvokeAsync(action, new { payload = B64("""{"n":5}"""), priority = 3 });
        var viaClient = await fixture.Client.Action.WaitAsync(byBase64, Patience);
        Assert.Equal(RunStatus.Completed, viaClient.Status);
        Assert.Equal(3, viaClient.Priority);
        Assert.Equal("""{"doubled":10}""", Encoding.UTF8.GetString(viaClient.Result!));
        Assert.Equal("""{"doubled":10}""", Text((await GetRunAsync(byBase64)).GetProperty("result")));

        await EventuallyAsync(async () =>
        {
            var stats = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs/stats?action={action}");
            return stats.GetProperty("completed").GetInt64() == 2 && stats.GetProperty("pending").GetInt64() == 0;
        }, "two completed runs in the stats");
        var completed = await ListAllRunsAsync($"action={action}&status=completed", limit: 10);
        Assert.Equal(new[] { byBase64, byJson }.Order(), completed.Select(r => r.GetProperty("run_id").GetString()!).Order());
    }

    [Fact]
    public async Task AWaitThatEndsBeforeTheRunReturnsItAsItIs()
    {
        var action = NewAction();
        // No body at all: the defaults, and an empty payload.
        var register = await http.PutAsync(ActionUrl(action), null);
        Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        Assert.Equal(3, (await register.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("max_retries").GetInt32());
        var invoke = await http.PostAsync(ActionUrl(action, "invoke"), null);
        Assert.Equal(HttpStatusCode.Accepted, invoke.StatusCode);
        var runId = (await invoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
        var started = DateTime.UtcNow;
        var run = await GetRunAsync(runId, waitMs: 300);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250), "the read did not wait");
        Assert.Equal("pending", run.GetProperty("status").GetString());
        Assert.Equal("", Text(run.GetProperty("payload")));
        Assert.Equal(JsonValueKind.Null, run.GetProperty("result").ValueKind);
        Assert.Equal(JsonValueKind.Null, run.GetProperty("started_at_ms").ValueKind);
        Assert.Empty(run.GetProperty("attempts").EnumerateArray());
    }

    /// <summary>Invokes five runs of an action no worker runs and cancels the first two: three pending, two cancelled.</summary>
    private async Task<(string Action, List<string> Ids)> FivePendingOfWhichTwoCancelledAsync()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await InvokeAsync(action, new { payload = B64($"run {i}") }));
        }
        foreach (var id in ids.Take(2))
        {
            Assert.True((await (await http.PostAsync(RunUrl(id, "cancel"), null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());
        }
        return (action, ids);
    }

    [Fact]
    public async Task ListsRunsByStatusNewestFirstWithTheirCounts()
    {
        var (action, ids) = await FivePendingOfWhichTwoCancelledAsync();

        var pending = (await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs?action={action}&status=pending")).GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(ids.Skip(2).Order(), pending.Select(r => r.GetProperty("run_id").GetString()!).Order());
        Assert.All(pending, r => Assert.Equal("pending", r.GetProperty("status").GetString()));
        Assert.All(pending, r => Assert.Equal(action, r.GetProperty("action").GetString()));
        var submitted = pending.Select(r => r.GetProperty("submitted_at_ms").GetInt64()).ToList();
        Assert.Equal(submitted.OrderDescending(), submitted);

        var cancelled = (await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs?action={action}&status=cancelled")).GetProperty("runs").EnumerateArray();
        Assert.Equal(ids.Take(2).Order(), cancelled.Select(r => r.GetProperty("run_id").GetString()!).Order());
        // The C# name of a status filters as well; an empty filter is no filter.
        Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs?action={action}&status=Cancelled")).GetProperty("runs").GetArrayLength());
        var all = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs?action={action}&status=&cursor=");
        Assert.Equal(5, all.GetProperty("runs").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next_cursor").ValueKind);

        var stats = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs/stats?action={action}");
        Assert.Equal(3, stats.GetProperty("pending").GetInt64());
        Assert.Equal(2, stats.GetProperty("cancelled").GetInt64());
        Assert.Equal(0, stats.GetProperty("completed").GetInt64());
        // Namespace-wide counts include this action's.
        Assert.True((await http.GetFromJsonAsync<JsonElement>("/v1/ns/default/runs/stats")).GetProperty("cancelled").GetInt64() >= 2);
    }

    [Fact]
    public async Task RunListingsPageWithACursorUntilTheLastPage()
    {
        var (action, ids) = await FivePendingOfWhichTwoCancelledAsync();

        var firstPage = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs?action={action}&status=pending&limit=2");
        Assert.Equal(2, firstPage.GetProperty("runs").GetArrayLength());
        Assert.Equal(JsonValueKind.String, firstPage.GetProperty("next_cursor").ValueKind);

        // Pages of 2 and 1: every pending run once, newest first across pages.
        var pending = await ListAllRunsAsync($"action={action}&status=pending", limit: 2);
        Assert.Equal(ids.Skip(2).Order(), pending.Select(r => r.GetProperty("run_id").GetString()!).Order());
        var submitted = pending.Select(r => r.GetProperty("submitted_at_ms").GetInt64()).ToList();
        Assert.Equal(submitted.OrderDescending(), submitted);

        Assert.Equal(ids.Take(2).Order(), (await ListAllRunsAsync($"action={action}&status=cancelled", limit: 1)).Select(r => r.GetProperty("run_id").GetString()!).Order());
        Assert.Equal(ids.Order(), (await ListAllRunsAsync($"action={action}", limit: 3)).Select(r => r.GetProperty("run_id").GetString()!).Order());
    }

    [Fact]
    public async Task CancelsAPendingRunOnceAndUnknownRunsAre404()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var runId = await InvokeAsync(action, new { payload = B64("never run") });
        Assert.Equal("pending", (await GetRunAsync(runId)).GetProperty("status").GetString());

        var cancel = await http.PostAsync(RunUrl(runId, "cancel"), null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.True((await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());
        var run = await GetRunAsync(runId, waitMs: 1_000);
        Assert.Equal("cancelled", run.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, run.GetProperty("finished_at_ms").ValueKind);
        Assert.Empty(run.GetProperty("attempts").EnumerateArray());
        // Finished: a second cancel changes nothing and says so.
        Assert.False((await (await http.PostAsync(RunUrl(runId, "cancel"), null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").GetBoolean());

        var unknown = Guid.NewGuid().ToString("N");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(unknown)), HttpStatusCode.NotFound, "RunNotFound");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(unknown) + "?wait_ms=100"), HttpStatusCode.NotFound, "RunNotFound");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(RunUrl(unknown, "cancel"), null), HttpStatusCode.NotFound, "RunNotFound");
    }

    [Fact]
    public async Task AnIdempotencyKeyReturnsTheFirstRunAndADifferentPayloadConflicts()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var first = await InvokeAsync(action, new { payload_json = new { order = 1 }, idempotency_key = "order-1" });
        Assert.Equal(first, await InvokeAsync(action, new { payload_json = new { order = 1 }, idempotency_key = "order-1" }));
        // The same bytes as base64: the same payload.
        Assert.Equal(first, await InvokeAsync(action, new { payload = B64("""{"order":1}"""), idempotency_key = "order-1" }));

        var conflict = await HttpChecks.AssertProblemAsync(
            await http.PostAsJsonAsync(ActionUrl(action, "invoke"), new { payload_json = new { order = 2 }, idempotency_key = "order-1" }), HttpStatusCode.Conflict, "IdempotencyConflict");
        Assert.Equal(first, conflict.GetProperty("run_id").GetString());

        var runs = await ListAllRunsAsync($"action={action}", limit: 10);
        Assert.Equal(first, Assert.Single(runs).GetProperty("run_id").GetString());
        Assert.Equal("order-1", (await GetRunAsync(first)).GetProperty("idempotency_key").GetString());
    }

    [Fact]
    public async Task UnknownActionsAre404ActionNotFound()
    {
        var action = NewAction();
        await HttpChecks.AssertProblemAsync(await http.GetAsync(ActionUrl(action)), HttpStatusCode.NotFound, "ActionNotFound");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(ActionUrl(action, "invoke"), new { payload = B64("x") }), HttpStatusCode.NotFound, "ActionNotFound");
        await HttpChecks.AssertProblemAsync(await http.GetAsync($"/v1/ns/default/runs?action={action}"), HttpStatusCode.NotFound, "ActionNotFound");
        await HttpChecks.AssertProblemAsync(await http.GetAsync($"/v1/ns/default/runs/stats?action={action}"), HttpStatusCode.NotFound, "ActionNotFound");
        Assert.DoesNotContain((await http.GetFromJsonAsync<JsonElement>("/v1/ns/default/actions")).GetProperty("actions").EnumerateArray(), a => a.GetProperty("name").GetString() == action);
    }

    [Fact]
    public async Task BadInputIsRefusedWithProblemsAndNothingIsStored()
    {
        var action = NewAction();
        await HttpChecks.AssertProblemAsync(await http.PutAsJsonAsync(ActionUrl(action), new { timeout_ms = -1 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PutAsJsonAsync(ActionUrl(action), new { partitions = 17 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PutAsJsonAsync(ActionUrl(action), new { timeout_ms = "soon" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PutAsync(ActionUrl(action), new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PutAsJsonAsync("/v1/ns/bad!ns/actions/x", new { }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(ActionUrl(action)), HttpStatusCode.NotFound, "ActionNotFound");

        await RegisterAsync(action);
        var invoke = ActionUrl(action, "invoke");
        var tooLarge = await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(invoke, new { payload = Convert.ToBase64String(new byte[ActionLimits.MaxPayloadBytes + 1]) }), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains(ActionLimits.MaxPayloadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), tooLarge.GetProperty("detail").GetString());
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(invoke, new { payload_json = new string('x', ActionLimits.MaxPayloadBytes) }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(invoke, new { payload = "%%%" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(invoke, new { payload = B64("x"), payload_json = "x" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(invoke, new { payload = B64("x"), delay_ms = -1 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(invoke, new { payload = B64("x"), idempotency_key = new string('k', ActionLimits.MaxIdempotencyKeyLength + 1) }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(invoke, new StringContent("[1,2", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(invoke, new StringContent("{}", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");

        var status = await HttpChecks.AssertProblemAsync(await http.GetAsync($"/v1/ns/default/runs?action={action}&status=sleeping"), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("timed_out", status.GetProperty("detail").GetString());
        await HttpChecks.AssertProblemAsync(await http.GetAsync($"/v1/ns/default/runs?action={action}&status=3"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync($"/v1/ns/default/runs?action={action}&limit=0"), HttpStatusCode.BadRequest, "InvalidArgument");
        var limit = await HttpChecks.AssertProblemAsync(await http.GetAsync($"/v1/ns/default/runs?action={action}&limit=many"), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("limit", limit.GetProperty("detail").GetString());
        await HttpChecks.AssertProblemAsync(await http.GetAsync($"/v1/ns/default/runs?action={action}&cursor=not-a-cursor"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl("not-a-run-id")), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(Guid.NewGuid().ToString("N").ToUpperInvariant())), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(RunUrl("not-a-run-id", "cancel"), null), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(RunUrl(Guid.NewGuid().ToString("N")) + "?wait_ms=-1"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync("/v1/ns/bad!ns/workers"), HttpStatusCode.BadRequest, "InvalidArgument");

        // Every refused invoke left nothing behind.
        Assert.Empty(await ListAllRunsAsync($"action={action}", limit: 10));
        var stats = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs/stats?action={action}");
        Assert.All(stats.EnumerateObject(), p => Assert.Equal(0, p.Value.GetInt64()));
    }

    [Fact]
    public async Task ActionNamesWithSlashesTravelPercentEncoded()
    {
        var action = $"{NewAction()}/resize/50%";
        var registered = await RegisterAsync(action, new { partitions = 2 });
        Assert.Equal(action, registered.GetProperty("name").GetString());
        Assert.Equal(action, (await http.GetFromJsonAsync<JsonElement>(ActionUrl(action))).GetProperty("name").GetString());
        // An update that leaves partitions out keeps the count fixed at the first registration.
        Assert.Equal(2, (await RegisterAsync(action, new { max_retries = 0 })).GetProperty("partitions").GetInt32());

        var runId = await InvokeAsync(action, new { payload = B64("x") });
        Assert.Equal(action, (await GetRunAsync(runId)).GetProperty("action").GetString());
        Assert.Equal(runId, Assert.Single(await ListAllRunsAsync($"action={Uri.EscapeDataString(action)}", limit: 10)).GetProperty("run_id").GetString());
    }

    [Fact]
    public async Task TheWorkersListShowsARunningWorkerUntilItStops()
    {
        var action = NewAction();
        var workerId = $"w-{Guid.NewGuid():N}";
        var worker = fixture.Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 3, WorkerId: workerId));
        await using (worker)
        {
            worker.Action(action, ctx => Task.FromResult(ctx.Payload));
            await worker.StartAsync();

            var workers = (await http.GetFromJsonAsync<JsonElement>("/v1/ns/default/workers")).GetProperty("workers").EnumerateArray();
            var listed = Assert.Single(workers, w => w.GetProperty("worker_id").GetString() == workerId);
            Assert.Equal(new[] { action }, listed.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!));
            Assert.Equal(3, listed.GetProperty("concurrency").GetInt32());
            Assert.True(listed.GetProperty("alive").GetBoolean());
            Assert.Equal(Environment.MachineName, listed.GetProperty("host").GetString());

            // The worker registered its action with the defaults.
            Assert.Equal(30_000, (await http.GetFromJsonAsync<JsonElement>(ActionUrl(action))).GetProperty("timeout_ms").GetInt64());
        }
        var after = (await http.GetFromJsonAsync<JsonElement>("/v1/ns/default/workers")).GetProperty("workers").EnumerateArray();
        Assert.DoesNotContain(after, w => w.GetProperty("worker_id").GetString() == workerId);
    }

    [Fact]
    public async Task EveryActionRouteIsInTheOpenApiDocumentWithItsProblems()
    {
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        var routes = new (string Path, string Method)[]
        {
            ("/v1/ns/{ns}/actions", "get"),
            ("/v1/ns/{ns}/actions/{name}", "put"),
            ("/v1/ns/{ns}/actions/{name}", "get"),
            ("/v1/ns/{ns}/actions/{name}/invoke", "post"),
            ("/v1/ns/{ns}/runs", "get"),
            ("/v1/ns/{ns}/runs/stats", "get"),
            ("/v1/ns/{ns}/runs/{run_id}", "get"),
            ("/v1/ns/{ns}/runs/{run_id}/cancel", "post"),
            ("/v1/ns/{ns}/workers", "get"),
        };
        HttpChecks.AssertRoutes(paths, routes);
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/actions/{name}/invoke").GetProperty("post"), "202", "400", "404", "409", "415");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/actions/{name}").GetProperty("put"), "200", "400", "415");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/runs/{run_id}").GetProperty("get"), "200", "400", "404");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/runs").GetProperty("get"), "200", "400", "404");
    }

    public void Dispose() => http.Dispose();
}
