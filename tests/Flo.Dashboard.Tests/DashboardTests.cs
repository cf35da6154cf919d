using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Flo.Dashboard.Tests;

/// <summary>
/// The web dashboard in headless Chromium against one silo: it loads cleanly and shows the cluster, follows runs live
/// over the event stream without reloading, creates schedules that fire, shows a failed run's error, retries and
/// cancels runs, and shows queue depths and stream lengths. Runs execute on <see cref="ActionWorker"/>s of the fixture's
/// client; every test also checks that its page logged no error and no request failed.
/// </summary>
[Trait("Category", "Dashboard")]
public sealed class DashboardTests(DashboardSilo silo, Chromium chromium, ITestOutputHelper output)
    : IClassFixture<DashboardSilo>, IClassFixture<Chromium>
{
    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private Task<DashboardSession> OpenAsync([System.Runtime.CompilerServices.CallerMemberName] string test = "")
        => DashboardSession.OpenAsync(chromium.Browser, silo.BaseAddress, output, test: test);

    private static string RunRow(string runId) => $"#runs-body tr[data-run-id='{runId}']";

    [Fact]
    public async Task ThePageLoadsWithoutErrorsAndShowsTheSilo()
    {
        await using var session = await OpenAsync();
        await session.GotoAsync();

        // The silo of this cluster, by its Orleans address, with its activations.
        var address = silo.Cluster.Silos[0].SiloAddress.ToParsableString();
        var row = $"#silos-body tr[data-silo='{address}']";
        await session.UntilAsync(async () => await session.AttributeAsync(row, "data-silo") is not null, "the silo in the cluster overview", "#tab-overview");
        Assert.Contains("active", await session.TextAsync(row + " .status"));
        await session.UntilAsync(async () => int.TryParse(await session.TextAsync("#cluster-activations"), out var n) && n > 0, "the cluster's activations", "#tab-overview");
        await session.UntilAsync(async () => await session.AttributeAsync("#live", "data-state") == "live", "the event stream to connect", "header");
        // The namespace's counts came from the overview, and the namespace selector from /v1/namespaces.
        await session.UntilAsync(async () => await session.TextAsync("[data-count='completed']") is { } text && long.TryParse(text, out _), "the run counts", "#tab-overview");
        Assert.Equal("default", await session.Page.InputValueAsync("#ns-select"));
        Assert.Equal("/orleans/", await session.AttributeAsync("#orleans-link", "href"));

        // Every tab renders without a request failing (each reads its own endpoint as it opens).
        foreach (var tab in new[] { "runs", "schedules", "actions", "workers", "queues", "streams", "overview" })
        {
            await session.ShowTabAsync(tab);
        }
        await session.UntilAsync(async () => await session.AttributeAsync(row, "data-silo") is not null, "the silo again", "#tab-overview");
        session.AssertNoProblems();
    }

    [Fact]
    public async Task ARunInvokedThroughTheClientChangesStatusLiveWithoutAReload()
    {
        var action = NewName("live");
        await silo.Client.Action.RegisterAsync(action);
        await using var session = await OpenAsync();
        await session.GotoAsync();
        await session.ShowTabAsync("runs");
        await session.UntilAttributeAsync("#live", "data-state", "live", "header");
        var loadId = await session.LoadIdAsync();

        // No worker yet: the run appears as pending, from the event stream alone.
        var runId = await silo.Client.Action.InvokeAsync(action, Encoding.UTF8.GetBytes("""{"n":1}"""));
        await session.UntilAttributeAsync(RunRow(runId), "data-status", "pending", "#runs-body");

        // A worker takes it and holds it: running; then lets it finish: completed.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = silo.Client.NewActionWorker();
        worker.Action(action, async ctx =>
        {
            await release.Task.WaitAsync(ctx.CancellationToken);
            return Encoding.UTF8.GetBytes("""{"ok":true}""");
        });
        await worker.StartAsync();
        await session.UntilAttributeAsync(RunRow(runId), "data-status", "running", "#runs-body");
        Assert.Equal(worker.WorkerId, await session.TextAsync(RunRow(runId) + " [data-field='worker']"));
        release.SetResult();
        await session.UntilAttributeAsync(RunRow(runId), "data-status", "completed", "#runs-body");
        Assert.Equal("completed", await session.TextAsync(RunRow(runId) + " .status"));

        // The same page load throughout: the changes came in live.
        Assert.Equal(loadId, await session.LoadIdAsync());

        // Its detail: payload and result as text, one completed attempt on the worker.
        await session.Page.ClickAsync(RunRow(runId));
        await session.UntilAttributeAsync("#run-detail", "data-status", "completed", "#run-detail");
        Assert.Equal("""{"n":1}""", await session.TextAsync("#run-detail-payload"));
        Assert.Equal("""{"ok":true}""", await session.TextAsync("#run-detail-result"));
        Assert.Equal("completed", await session.AttributeAsync("#run-attempts-body tr[data-attempt='1']", "data-outcome"));
        Assert.Contains(worker.WorkerId, await session.TextAsync("#run-attempts-body tr[data-attempt='1']"));
        Assert.False(await session.Page.IsVisibleAsync("#run-cancel"));
        Assert.False(await session.Page.IsVisibleAsync("#run-retry"));
        session.AssertNoProblems();
    }

    [Fact]
    public async Task AScheduleCreatedInThePageFiresAndCanBeDisabledAndDeleted()
    {
        var action = NewName("tick");
        await using var worker = silo.Client.NewActionWorker();
        worker.Action(action, ctx => Task.FromResult(Encoding.UTF8.GetBytes("tock:" + ctx.Text)));
        await worker.StartAsync();

        await using var session = await OpenAsync();
        await session.GotoAsync();
        await session.ShowTabAsync("schedules");
        var page = session.Page;
        await page.FillAsync("#schedule-action", action);
        await page.SelectOptionAsync("#schedule-kind", "interval");
        await page.FillAsync("#schedule-interval", "1000");
        await page.FillAsync("#schedule-args", """{"n": 7}""");
        await page.FillAsync("#schedule-description", "every second, from the page");
        await page.FillAsync("#schedule-retries", "0");
        await page.ClickAsync("#schedule-create");

        var row = $"#schedules-body tr[data-action='{action}']";
        await session.UntilAsync(async () => await session.AttributeAsync(row, "data-schedule-id") is not null, "the new schedule's row", "#tab-schedules");
        var scheduleId = (await session.AttributeAsync(row, "data-schedule-id"))!;
        Assert.Equal(scheduleId, await session.AttributeAsync("#schedule-form", "data-created-id"));
        Assert.Equal("", await session.TextAsync("#schedule-form-error"));
        Assert.Contains("every 1 s", await session.TextAsync(row));
        Assert.Contains("every second, from the page", await session.TextAsync(row));

        // It fires: the row shows a fired run (the list follows schedule_fired events) ...
        await session.UntilAsync(async () => int.TryParse(await session.TextAsync(row + " [data-field='fired']"), out var fired) && fired >= 1, "the schedule to fire", "#tab-schedules");
        await session.UntilAsync(async () => await session.AttributeAsync(row + " [data-field='last-run'] [data-run-id]", "data-run-id") is not null, "the schedule's last run", "#tab-schedules");
        var lastRun = (await session.AttributeAsync(row + " [data-field='last-run'] [data-run-id]", "data-run-id"))!;
        await session.SnapshotAsync("fired");

        // ... whose run completed on the worker with the schedule's args.
        await page.ClickAsync(row + " [data-field='last-run'] [data-run-id]");
        await session.UntilAsync(async () => await page.IsVisibleAsync("#tab-runs"), "the runs tab", "body");
        await session.UntilAttributeAsync("#run-detail", "data-status", "completed", "#run-detail");
        // The run the link opened: the one read above, or a later fire of the same schedule if the row moved on (a fire a
        // second) between reading the link and clicking it.
        var shown = await session.TextAsync("#run-detail-id");
        Assert.NotNull(shown);
        if (shown != lastRun)
        {
            Assert.StartsWith($"schedule:{scheduleId}:", (await silo.Client.Action.GetRunAsync(shown)).IdempotencyKey);
        }
        Assert.Equal("""{"n":7}""", await session.TextAsync("#run-detail-payload"));
        Assert.Equal("""tock:{"n":7}""", await session.TextAsync("#run-detail-result"));
        // The schedule's runs are in the list too, completed.
        await session.UntilAsync(async () => await session.AttributeAsync($"#runs-body tr[data-action='{action}'][data-status='completed']", "data-run-id") is not null, "a completed run of the schedule in the list", "#runs-body");

        // Disable, then delete, from the page.
        await session.ShowTabAsync("schedules");
        await page.ClickAsync(row + " button[data-op='disable']");
        await session.UntilAttributeAsync(row, "data-enabled", "false", "#tab-schedules");
        Assert.False((await silo.Client.Schedule.GetAsync(scheduleId)).Enabled);
        await page.ClickAsync(row + " button[data-op='delete']");
        await session.UntilAsync(async () => await session.AttributeAsync(row, "data-schedule-id") is null, "the deleted schedule's row to go", "#tab-schedules");
        await Assert.ThrowsAsync<Flo.Schedules.ScheduleNotFoundException>(() => silo.Client.Schedule.GetAsync(scheduleId));
        session.AssertNoProblems();
    }

    [Fact]
    public async Task AnInvalidScheduleShowsTheSilosProblemNextToTheForm()
    {
        var action = NewName("bad-cron");
        await silo.Client.Action.RegisterAsync(action);
        await using var session = await OpenAsync();
        await session.GotoAsync();
        await session.ShowTabAsync("schedules");
        await session.Page.FillAsync("#schedule-action", action);
        await session.Page.FillAsync("#schedule-cron", "61 * * * *");
        await session.Page.ClickAsync("#schedule-create");
        await session.UntilAsync(async () => (await session.TextAsync("#schedule-form-error"))?.Length > 0, "the form's error", "#schedule-form");
        var error = (await session.TextAsync("#schedule-form-error"))!;
        Assert.StartsWith("InvalidArgument: ", error);
        Assert.Contains("61", error);
        Assert.Null(await session.AttributeAsync($"#schedules-body tr[data-action='{action}']", "data-schedule-id"));
        // The create's 400 (as a failed response and Chromium's console line about it) is the test's own doing; nothing else went wrong.
        Assert.NotEmpty(session.Problems);
        Assert.All(session.Problems, p => Assert.Contains("400", p));
    }

    [Fact]
    public async Task AFailedRunShowsItsErrorAndRetryStartsANewRun()
    {
        var action = NewName("boom");
        var boom = NewName("boom");
        await silo.Client.Action.RegisterAsync(action, new ActionRegisterOptions(MaxRetries: 0));
        await using var worker = silo.Client.NewActionWorker();
        // The error carries markup: the page must show it as text, never as an element.
        worker.Action(action, ctx => Task.FromException<byte[]>(new InvalidOperationException($"{boom} <img src=x data-injected=1>")));
        await worker.StartAsync();

        await using var session = await OpenAsync();
        await session.GotoAsync();
        await session.ShowTabAsync("runs");
        await session.Page.ClickAsync("#run-filters [data-status-filter='failed']");
        await session.UntilAttributeAsync("#runs-table", "data-filter", "failed", "#tab-runs");
        await session.UntilAttributeAsync("#live", "data-state", "live", "header");

        // The failed run arrives in the failed tab live, with its error.
        var runId = await silo.Client.Action.InvokeAsync(action, Encoding.UTF8.GetBytes("payload-1"));
        await session.UntilAttributeAsync(RunRow(runId), "data-status", "failed", "#runs-body");
        Assert.Contains(boom, await session.TextAsync(RunRow(runId) + " [data-field='error']"));

        // Its detail shows the error, of the run and of its one attempt; Retry is offered, Cancel is not.
        await session.Page.ClickAsync(RunRow(runId));
        await session.UntilAttributeAsync("#run-detail", "data-status", "failed", "#run-detail");
        Assert.True(await session.Page.IsVisibleAsync("#run-detail-error"));
        Assert.Contains(boom, await session.TextAsync("#run-detail-error"));
        Assert.Contains("<img src=x data-injected=1>", await session.TextAsync("#run-detail-error"));
        Assert.Equal(0, await session.Page.Locator("[data-injected]").CountAsync());
        Assert.Contains(boom, await session.TextAsync("#run-attempts-body tr[data-attempt='1']"));
        Assert.Equal("failed", await session.AttributeAsync("#run-attempts-body tr[data-attempt='1']", "data-outcome"));
        Assert.Equal("payload-1", await session.TextAsync("#run-detail-payload"));
        Assert.False(await session.Page.IsVisibleAsync("#run-cancel"));

        // Retry: a new run of the same action and payload, which fails the same way and shows up in the list.
        await session.Page.ClickAsync("#run-retry");
        await session.UntilAsync(async () => await session.AttributeAsync("#run-retry-new", "data-new-run-id") is not null, "the retry's new run id", "#run-detail");
        var retried = (await session.AttributeAsync("#run-retry-new", "data-new-run-id"))!;
        Assert.NotEqual(runId, retried);
        var again = await silo.Client.Action.GetRunAsync(retried);
        Assert.Equal(action, again.Action);
        Assert.Equal("payload-1", Encoding.UTF8.GetString(again.Payload));
        await session.UntilAttributeAsync(RunRow(retried), "data-status", "failed", "#runs-body");
        session.AssertNoProblems();
    }

    [Fact]
    public async Task CancelOnAPendingRunMakesItCancelled()
    {
        // No worker runs this action: the run stays pending until it is cancelled.
        var action = NewName("idle");
        await silo.Client.Action.RegisterAsync(action);
        var runId = await silo.Client.Action.InvokeAsync(action, []);

        await using var session = await OpenAsync();
        await session.GotoAsync();
        await session.ShowTabAsync("runs");
        await session.UntilAttributeAsync(RunRow(runId), "data-status", "pending", "#runs-body");
        await session.UntilAttributeAsync("#live", "data-state", "live", "header");
        await session.Page.ClickAsync(RunRow(runId));
        await session.UntilAttributeAsync("#run-detail", "data-status", "pending", "#run-detail");
        Assert.False(await session.Page.IsVisibleAsync("#run-retry"));
        Assert.Equal("(empty)", await session.TextAsync("#run-detail-payload"));

        await session.Page.ClickAsync("#run-cancel");
        await session.UntilAttributeAsync("#run-detail", "data-status", "cancelled", "#run-detail");
        // The cancelled event may refresh the detail before the cancel call's own answer shows its message.
        await session.UntilAsync(async () => await session.TextAsync("#run-detail-message") == "Cancelled.", "the cancel's message", "#run-detail");
        // The list follows the cancelled event; the run is cancelled in the store, and Retry is offered now.
        await session.UntilAttributeAsync(RunRow(runId), "data-status", "cancelled", "#runs-body");
        Assert.Equal(RunStatus.Cancelled, (await silo.Client.Action.GetRunAsync(runId)).Status);
        Assert.True(await session.Page.IsVisibleAsync("#run-retry"));
        Assert.False(await session.Page.IsVisibleAsync("#run-cancel"));
        session.AssertNoProblems();
    }

    [Fact]
    public async Task QueuesAndStreamsShowTheirDepthsAndLengths()
    {
        var queue = NewName("q");
        var stream = NewName("s");
        for (var i = 0; i < 3; i++)
        {
            await silo.Client.Queue.EnqueueAsync(queue, Encoding.UTF8.GetBytes($"m{i}"));
        }
        for (var i = 0; i < 4; i++)
        {
            await silo.Client.Stream.AppendAsync(stream, Encoding.UTF8.GetBytes($"r{i}"));
        }
        await silo.Client.Stream.GroupJoinAsync(stream, "readers", "c1");

        await using var session = await OpenAsync();
        await session.GotoAsync();
        await session.ShowTabAsync("queues");
        var queueRow = $"#queues-body tr[data-queue='{queue}']";
        await session.UntilAsync(async () => await session.TextAsync(queueRow + " [data-field='depth']") == "3", "the queue's depth", "#tab-queues");
        Assert.Equal("0", await session.TextAsync(queueRow + " [data-field='dlq_size']"));

        // A leased message: depth 3 with one in flight, seen by the next poll without a reload.
        Assert.Single(await silo.Client.Queue.DequeueAsync(queue, 1));
        await session.UntilAsync(async () => await session.TextAsync(queueRow + " [data-field='in_flight']") == "1", "the queue's message in flight", "#tab-queues");

        await session.ShowTabAsync("streams");
        var streamRow = $"#streams-body tr[data-stream='{stream}']";
        await session.UntilAsync(async () => await session.TextAsync(streamRow + " [data-field='length']") == "4", "the stream's length", "#tab-streams");
        Assert.NotNull(await session.AttributeAsync(streamRow + " li[data-group='readers']", "data-lag"));
        session.AssertNoProblems();
    }

    [Fact]
    public async Task TheOrleansDashboardIsServedUnderOrleans()
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var page = await http.GetAsync("/orleans/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        // Neither dashboard is API: the OpenAPI document leaves both out.
        var openApi = await http.GetStringAsync("/openapi/v1.json");
        Assert.DoesNotContain("\"/orleans", openApi);
        Assert.DoesNotContain("\"/dashboard", openApi);

        await using var session = await OpenAsync();
        var response = await session.Page.GotoAsync("/orleans/");
        Assert.Equal(200, response?.Status);
        // The Orleans dashboard's own page reads the cluster through its API under /orleans: one active silo.
        await session.UntilAsync(
            async () => Regex.IsMatch(await session.Page.EvaluateAsync<string>("() => document.body.innerText"), @"ACTIVE SILOS\s+1\b", RegexOptions.IgnoreCase),
            "the Orleans dashboard to show the silo", "body");
        session.AssertNoProblems();
    }
}
