using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>
/// Schedules over HTTP/JSON on the silo's HTTP port: an interval schedule fires a run that is readable under
/// <c>runs/</c>, creating the same schedule twice is one schedule, enable/disable/delete, listings and counts, and typed
/// problems for bad input (with nothing stored). No worker runs the actions: a fired run only has to exist.
/// </summary>
[Trait("Category", "Actions")]
public sealed class ScheduleHttpApiTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    /// <summary>How long a wait may see no progress before the test fails: generous, so only a stuck schedule fails it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const string Schedules = "/v1/ns/default/schedules";

    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private static string NewAction() => $"sched-{Guid.NewGuid():N}";

    private static string ScheduleUrl(string id, string op = "") => $"{Schedules}/{id}{(op.Length > 0 ? "/" + op : "")}";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private async Task RegisterAsync(string action)
    {
        var response = await http.PutAsJsonAsync($"/v1/ns/default/actions/{Uri.EscapeDataString(action)}", new { });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> CreateAsync(object body)
    {
        var response = await http.PostAsJsonAsync(Schedules, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var schedule = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ScheduleUrl(schedule.GetProperty("id").GetString()!), response.Headers.Location?.OriginalString);
        return schedule;
    }

    private Task<JsonElement> GetAsync(string id) => http.GetFromJsonAsync<JsonElement>(ScheduleUrl(id));

    private async Task<JsonElement> PostAsync(string id, string op)
    {
        var response = await http.PostAsync(ScheduleUrl(id, op), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<string>> ListedIdsAsync()
        => [.. (await http.GetFromJsonAsync<JsonElement>(Schedules)).GetProperty("schedules").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];

    /// <summary>Polls until <paramref name="done"/> returns a value; fails only when nothing happened within <see cref="Patience"/>.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> done, string what) where T : struct
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await done() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not after {Patience}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AnIntervalScheduleFiresARunReadableOverHttp()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var created = await CreateAsync(new { action, kind = "interval", interval_ms = 1_000, args_json = new { n = 1 }, description = "every second", priority = 4, max_retries = 0 });
        var id = created.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal("default", created.GetProperty("namespace").GetString());
        Assert.Equal(action, created.GetProperty("action").GetString());
        Assert.Equal("interval", created.GetProperty("kind").GetString());
        Assert.Equal(1_000, created.GetProperty("interval_ms").GetInt64());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("cron").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("at_ms").ValueKind);
        Assert.Equal("""{"n":1}""", Encoding.UTF8.GetString(Convert.FromBase64String(created.GetProperty("args").GetString()!)));
        Assert.Equal("every second", created.GetProperty("description").GetString());
        Assert.Equal(4, created.GetProperty("priority").GetInt32());
        Assert.Equal(0, created.GetProperty("max_retries").GetInt32());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("retry_delay_ms").ValueKind);
        Assert.Equal("run_once", created.GetProperty("missed_runs").GetString());
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.True(created.GetProperty("created_at_ms").GetInt64() > 0);
        Assert.True(created.GetProperty("next_run_at_ms").GetInt64() >= created.GetProperty("created_at_ms").GetInt64());

        var fired = await EventuallyAsync<JsonElement>(async () =>
        {
            var s = await GetAsync(id);
            return s.GetProperty("fired").GetInt64() >= 1 && s.GetProperty("last_run_id").ValueKind == JsonValueKind.String ? s : null;
        }, "the schedule fired");
        Assert.True(fired.GetProperty("last_run_at_ms").GetInt64() >= created.GetProperty("created_at_ms").GetInt64());

        var run = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/default/runs/{fired.GetProperty("last_run_id").GetString()}");
        Assert.Equal(action, run.GetProperty("action").GetString());
        Assert.Equal(4, run.GetProperty("priority").GetInt32());
        Assert.Equal("""{"n":1}""", Encoding.UTF8.GetString(Convert.FromBase64String(run.GetProperty("payload").GetString()!)));

        // Stopped so it does not keep invoking runs for the rest of the fixture's tests.
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(ScheduleUrl(id))).StatusCode);
    }

    [Fact]
    public async Task CreatingTheSameScheduleTwiceReturnsTheSameId()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var body = new { action, kind = "cron", cron = "0 3 * * *", time_zone = "Europe/Paris", args = B64("""{"a":1}""") };
        var first = await CreateAsync(body);
        var id = first.GetProperty("id").GetString()!;
        var again = await CreateAsync(body);
        Assert.Equal(id, again.GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("created_at_ms").GetInt64(), again.GetProperty("created_at_ms").GetInt64());
        Assert.Equal("0 3 * * *", again.GetProperty("cron").GetString());
        Assert.Equal("Europe/Paris", again.GetProperty("time_zone").GetString());
        // The same args as JSON are the same bytes: still the same schedule. Other args or another zone: another one.
        Assert.Equal(id, (await CreateAsync(new { action, kind = "cron", cron = "0 3 * * *", time_zone = "Europe/Paris", args_json = new { a = 1 } })).GetProperty("id").GetString());
        var other = await CreateAsync(body with { args = B64("""{"a":2}""") });
        Assert.NotEqual(id, other.GetProperty("id").GetString());
        Assert.NotEqual(id, (await CreateAsync(body with { time_zone = "UTC" })).GetProperty("id").GetString());
        var listed = await ListedIdsAsync();
        Assert.Single(listed, i => i == id);
        Assert.Contains(other.GetProperty("id").GetString()!, listed);
    }

    [Fact]
    public async Task DisableEnableAndDeleteASchedule()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var id = (await CreateAsync(new { action, kind = "once", at_ms = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds(), missed_runs = "skip" })).GetProperty("id").GetString()!;
        Assert.Equal("skip", (await GetAsync(id)).GetProperty("missed_runs").GetString());
        var catchingUp = await CreateAsync(new { action, kind = "interval", interval_ms = 3_600_000, missed_runs = "run_each" });
        Assert.Equal("run_each", catchingUp.GetProperty("missed_runs").GetString());

        var disabled = await PostAsync(id, "disable");
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, disabled.GetProperty("next_run_at_ms").ValueKind);
        Assert.False((await GetAsync(id)).GetProperty("enabled").GetBoolean());

        var enabled = await PostAsync(id, "enable");
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(enabled.GetProperty("at_ms").GetInt64(), enabled.GetProperty("next_run_at_ms").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(ScheduleUrl(id))).StatusCode);
        await HttpChecks.AssertProblemAsync(await http.GetAsync(ScheduleUrl(id)), HttpStatusCode.NotFound, "ScheduleNotFound");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(ScheduleUrl(id, "enable"), null), HttpStatusCode.NotFound, "ScheduleNotFound");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(ScheduleUrl(id, "disable"), null), HttpStatusCode.NotFound, "ScheduleNotFound");
        await HttpChecks.AssertProblemAsync(await http.DeleteAsync(ScheduleUrl(id)), HttpStatusCode.NotFound, "ScheduleNotFound");
        Assert.DoesNotContain(id, await ListedIdsAsync());
    }

    [Fact]
    public async Task ListsSchedulesWithTheirCounts()
    {
        // A namespace of its own, so the counts are only this test's.
        var ns = $"sched-{Guid.NewGuid():N}"[..24];
        var action = NewAction();
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/v1/ns/{ns}/actions/{action}", new { })).StatusCode);
        var empty = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/{ns}/schedules/stats");
        Assert.Equal(0, empty.GetProperty("total").GetInt32());
        Assert.Empty((await http.GetFromJsonAsync<JsonElement>($"/v1/ns/{ns}/schedules")).GetProperty("schedules").EnumerateArray());

        var ids = new List<string>();
        foreach (var hour in new[] { 1, 2, 3 })
        {
            var response = await http.PostAsJsonAsync($"/v1/ns/{ns}/schedules", new { action, kind = "cron", cron = $"0 {hour} * * *" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/v1/ns/{ns}/schedules/{ids[0]}/disable", null)).StatusCode);

        var listed = (await http.GetFromJsonAsync<JsonElement>($"/v1/ns/{ns}/schedules")).GetProperty("schedules").EnumerateArray().ToList();
        Assert.Equal(ids.Order(), listed.Select(s => s.GetProperty("id").GetString()!).Order());
        Assert.All(listed, s => Assert.Equal(ns, s.GetProperty("namespace").GetString()));
        // Soonest due first; the disabled one (no next due time) last.
        Assert.Equal(ids[0], listed[^1].GetProperty("id").GetString());
        var due = listed.Take(2).Select(s => s.GetProperty("next_run_at_ms").GetInt64()).ToList();
        Assert.Equal(due.Order(), due);

        var stats = await http.GetFromJsonAsync<JsonElement>($"/v1/ns/{ns}/schedules/stats");
        Assert.Equal(3, stats.GetProperty("total").GetInt32());
        Assert.Equal(2, stats.GetProperty("enabled").GetInt32());
        Assert.Equal(0, stats.GetProperty("fired").GetInt64());
        Assert.Equal(0, stats.GetProperty("missed").GetInt64());
    }

    [Fact]
    public async Task ABadCronExpressionIs400NamingItAndNothingIsStored()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var before = await ListedIdsAsync();
        var problem = await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "cron", cron = "61 * * * *" }), HttpStatusCode.BadRequest, "InvalidArgument");
        var detail = problem.GetProperty("detail").GetString()!;
        // It names the expression and says it is not a valid cron expression.
        Assert.Contains("'61 * * * *'", detail, StringComparison.Ordinal);
        Assert.Contains("cron", detail, StringComparison.OrdinalIgnoreCase);
        var zone = await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "cron", cron = "0 3 * * *", time_zone = "Mars/Olympus" }), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("Mars/Olympus", zone.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.Order(), (await ListedIdsAsync()).Order());
    }

    [Fact]
    public async Task AnUnknownActionIs404ActionNotFound()
    {
        var action = NewAction();
        var before = await ListedIdsAsync();
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = 1_000 }), HttpStatusCode.NotFound, "ActionNotFound");
        Assert.Equal(before.Order(), (await ListedIdsAsync()).Order());
    }

    [Fact]
    public async Task BadInputIsRefusedWithProblems()
    {
        var action = NewAction();
        await RegisterAsync(action);
        var before = await ListedIdsAsync();

        var kind = await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "hourly" }), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("interval", kind.GetProperty("detail").GetString());
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "1", interval_ms = 1_000 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, interval_ms = 1_000 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { kind = "interval", interval_ms = 1_000 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = 10 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "cron" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "once" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = 1_000, missed_runs = "always" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = 1_000, max_retries = -1 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = "soon" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = 1_000, args = "%%%" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = 1_000, args = B64("x"), args_json = "x" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync(Schedules, new { action, kind = "interval", interval_ms = 1_000, description = new string('d', 5_000) }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(Schedules, new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(Schedules, null), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(Schedules, new StringContent("{}", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
        await HttpChecks.AssertProblemAsync(await http.PostAsJsonAsync("/v1/ns/bad!ns/schedules", new { action, kind = "interval", interval_ms = 1_000 }), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync("/v1/ns/bad!ns/schedules"), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(ScheduleUrl("not-a-schedule-id")), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.PostAsync(ScheduleUrl(Guid.NewGuid().ToString("N").ToUpperInvariant(), "enable"), null), HttpStatusCode.BadRequest, "InvalidArgument");
        await HttpChecks.AssertProblemAsync(await http.GetAsync(ScheduleUrl(Guid.NewGuid().ToString("N"))), HttpStatusCode.NotFound, "ScheduleNotFound");

        Assert.Equal(before.Order(), (await ListedIdsAsync()).Order());
    }

    [Fact]
    public async Task EveryScheduleRouteIsInTheOpenApiDocumentWithItsProblems()
    {
        var doc = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        var routes = new (string Path, string Method)[]
        {
            ("/v1/ns/{ns}/schedules", "post"),
            ("/v1/ns/{ns}/schedules", "get"),
            ("/v1/ns/{ns}/schedules/stats", "get"),
            ("/v1/ns/{ns}/schedules/{id}", "get"),
            ("/v1/ns/{ns}/schedules/{id}", "delete"),
            ("/v1/ns/{ns}/schedules/{id}/enable", "post"),
            ("/v1/ns/{ns}/schedules/{id}/disable", "post"),
        };
        HttpChecks.AssertRoutes(paths, routes);
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/schedules").GetProperty("post"), "201", "400", "404", "415");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/schedules").GetProperty("get"), "200", "400");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/schedules/{id}").GetProperty("get"), "200", "400", "404");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/schedules/{id}").GetProperty("delete"), "204", "400", "404");
        HttpChecks.AssertProblems(paths.GetProperty("/v1/ns/{ns}/schedules/{id}/enable").GetProperty("post"), "200", "400", "404");
    }

    public void Dispose() => http.Dispose();
}
