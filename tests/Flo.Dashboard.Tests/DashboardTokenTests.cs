using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Xunit.Abstractions;

namespace Flo.Dashboard.Tests;

/// <summary>
/// A silo that requires tokens: the API, the event stream and the Orleans dashboard answer 401 without one, health and the
/// dashboard's files do not need it, and the page asks for it and then works, live updates included. In the page, a
/// token the silo does not know is asked for again, another namespace's data and a read-only token's writes are refused
/// with the silo's message, and nothing changes.
/// </summary>
[Trait("Category", "Dashboard")]
public sealed class DashboardTokenTests(TokenSilo silo, Chromium chromium, ITestOutputHelper output)
    : IClassFixture<TokenSilo>, IClassFixture<Chromium>
{
    [Fact]
    public async Task TheApiNeedsTheTokenExceptHealthAndTheDashboardsFiles()
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        foreach (var path in new[] { "/v1/ns/default/actions", "/v1/cluster", "/v1/ns/default/events", "/openapi/v1.json", "/orleans/", "/cluster/members" })
        {
            var refused = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Unauthorized", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        // A wrong token (as header, and as the stream's query) is refused like none.
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/v1/ns/default/actions"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", silo.Token + "x");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/ns/default/events?access_token=nope")).StatusCode);
        // The query is for event streams only.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/v1/ns/default/actions?access_token={silo.Token}")).StatusCode);

        foreach (var path in new[] { "/health/live", "/", "/dashboard/dashboard.js", "/dashboard/dashboard.css" })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(path)).StatusCode);
        }

        using var authorized = new HttpRequestMessage(HttpMethod.Get, "/v1/ns/default/actions");
        authorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", silo.Token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(authorized)).StatusCode);
        using var stream = await http.GetAsync($"/v1/ns/default/events?access_token={silo.Token}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ThePageAsksForTheTokenAndThenWorksLive()
    {
        var action = $"secured-{Guid.NewGuid():N}";
        await silo.Client.Action.RegisterAsync(action);
        await using var session = await DashboardSession.OpenAsync(chromium.Browser, silo.BaseAddress, output);
        await session.GotoAsync();

        // Refused: the page asks for the token and shows nothing of the cluster.
        await session.UntilAsync(() => session.Page.IsVisibleAsync("#token-panel"), "the token prompt", "body");
        Assert.Equal(0, await session.Page.Locator("#silos-body tr").CountAsync());
        var loadId = await session.LoadIdAsync();

        await session.Page.FillAsync("#token-input", silo.Token);
        await session.Page.ClickAsync("#token-save");
        await session.UntilAsync(async () => !await session.Page.IsVisibleAsync("#token-panel"), "the token prompt to close", "body");
        var address = silo.Cluster.Silos[0].SiloAddress.ToParsableString();
        await session.UntilAsync(async () => await session.AttributeAsync($"#silos-body tr[data-silo='{address}']", "data-silo") is not null, "the silo in the cluster overview", "#tab-overview");
        // The event stream, with the token in its URL, is live: a run invoked now shows up without a reload.
        await session.UntilAttributeAsync("#live", "data-state", "live", "header");
        await session.ShowTabAsync("runs");
        var runId = await silo.Client.Action.InvokeAsync(action, []);
        await session.UntilAttributeAsync($"#runs-body tr[data-run-id='{runId}']", "data-status", "pending", "#runs-body");
        Assert.Equal(loadId, await session.LoadIdAsync());
        // The token was kept for the session only, and the Orleans dashboard got it as its cookie.
        Assert.Equal(silo.Token, await session.Page.EvaluateAsync<string>("() => sessionStorage.getItem('flo.token')"));
        var orleans = await session.Page.APIRequest.GetAsync("/orleans/");
        Assert.Equal(200, orleans.Status);

        // The 401s before the token are expected; nothing else failed, and no script threw.
        Assert.All(session.Problems, p => Assert.True(p.Contains("401") || p.Contains("Unauthorized") || p.Contains("/events"), p));
    }

    [Fact]
    public async Task ANamespaceTokenShowsItsNamespaceLiveButNotTheCluster()
    {
        var action = $"orders-{Guid.NewGuid():N}";
        await using var orders = await ConnectAsync("orders", silo.OrdersToken);
        await orders.Action.RegisterAsync(action);
        await using var session = await SignedInAsync("/?ns=orders", silo.OrdersToken);
        // The namespace's event stream is live with this token: a run invoked now shows up without a reload.
        await session.UntilAttributeAsync("#live", "data-state", "live", "header");
        await session.ShowTabAsync("runs");
        var runId = await orders.Action.InvokeAsync(action, []);
        await session.UntilAttributeAsync($"#runs-body tr[data-run-id='{runId}']", "data-status", "pending", "#runs-body");
        // The cluster needs a token granting '*': its panel shows the refusal, and the page asks for no other token.
        await session.ShowTabAsync("overview");
        await session.UntilAsync(async () => (await session.TextAsync("#cluster-error"))?.Contains("Access denied") == true, "the cluster panel's refusal", "#tab-overview");
        Assert.Equal(0, await session.Page.Locator("#silos-body tr").CountAsync());
        Assert.False(await session.Page.IsVisibleAsync("#token-panel"));
    }

    [Fact]
    public async Task WithoutATokenThePageShowsAndChangesNothing()
    {
        var action = $"no-token-{Guid.NewGuid():N}";
        await silo.Client.Action.RegisterAsync(action);
        var before = await silo.Client.Schedule.ListAsync();
        await using var session = await DashboardSession.OpenAsync(chromium.Browser, silo.BaseAddress, output);
        await session.GotoAsync();
        await session.UntilAsync(() => session.Page.IsVisibleAsync("#token-panel"), "the token prompt", "body");
        // The form is there without a token, but the silo refuses what it sends.
        await session.ShowTabAsync("schedules");
        await FillScheduleAsync(session, action);
        await session.UntilAsync(async () => (await session.TextAsync("#schedule-form-error"))?.Length > 0, "the form's error", "#schedule-form");
        Assert.StartsWith("Unauthorized: This silo requires a token", await session.TextAsync("#schedule-form-error"));
        Assert.Equal(0, await session.Page.Locator("#schedules-body tr").CountAsync());
        Assert.True(await session.Page.IsVisibleAsync("#token-panel"));
        Assert.Equal(Ids(before), Ids(await silo.Client.Schedule.ListAsync()));
        Assert.All(session.Problems, p => Assert.True(p.Contains("401") || p.Contains("Unauthorized") || p.Contains("/events"), p));
    }

    [Fact]
    public async Task AnUnknownTokenIsAskedForAgainAndShowsNothing()
    {
        await using var session = await DashboardSession.OpenAsync(chromium.Browser, silo.BaseAddress, output);
        await session.GotoAsync();
        await session.UntilAsync(() => session.Page.IsVisibleAsync("#token-panel"), "the token prompt", "body");
        await session.Page.FillAsync("#token-input", "not-a-token-of-this-silo");
        await session.Page.ClickAsync("#token-save");
        await session.UntilAsync(
            async () => await session.Page.IsVisibleAsync("#token-panel") && await session.TextAsync("#token-error") == "The silo refused this token.",
            "the prompt again, saying the token was refused", "body");
        Assert.Equal(0, await session.Page.Locator("#silos-body tr").CountAsync());
        Assert.NotEqual("live", await session.AttributeAsync("#live", "data-state"));
        Assert.All(session.Problems, p => Assert.True(p.Contains("401") || p.Contains("Unauthorized") || p.Contains("/events"), p));
    }

    [Fact]
    public async Task AnotherNamespaceIsRefusedInThePageAndChangesNothing()
    {
        var action = $"billing-{Guid.NewGuid():N}";
        await using var billing = await ConnectAsync("billing", silo.Token);
        await billing.Action.RegisterAsync(action);
        var existing = await billing.Schedule.IntervalAsync(action, TimeSpan.FromHours(1));
        var before = await billing.Schedule.ListAsync();
        await using var session = await SignedInAsync("/?ns=billing", silo.OrdersToken);
        await session.ShowTabAsync("schedules");
        await session.UntilAsync(async () => (await session.TextAsync("#schedules-error"))?.Contains("Access denied") == true, "the list's refusal", "#tab-schedules");
        Assert.Contains("namespace 'billing'", await session.TextAsync("#schedules-error"));
        Assert.Null(await session.AttributeAsync($"#schedules-body tr[data-schedule-id='{existing.Id}']", "data-schedule-id"));
        await FillScheduleAsync(session, action);
        await session.UntilAsync(async () => (await session.TextAsync("#schedule-form-error"))?.Length > 0, "the form's error", "#schedule-form");
        Assert.StartsWith("Forbidden: Access denied", await session.TextAsync("#schedule-form-error"));
        Assert.Contains("needs write access to namespace 'billing'", await session.TextAsync("#schedule-form-error"));
        // A 403 is not a wrong token: the page keeps its token and asks for none.
        Assert.False(await session.Page.IsVisibleAsync("#token-panel"));
        Assert.Equal(Ids(before), Ids(await billing.Schedule.ListAsync()));
        AssertOnlyRefusals(session);
    }

    [Fact]
    public async Task AReadOnlyTokenSeesItsNamespaceButCannotChangeIt()
    {
        var action = $"orders-ro-{Guid.NewGuid():N}";
        await using var orders = await ConnectAsync("orders", silo.Token);
        await orders.Action.RegisterAsync(action);
        var existing = await orders.Schedule.IntervalAsync(action, TimeSpan.FromHours(1));
        await using var session = await SignedInAsync("/?ns=orders", silo.OrdersReaderToken);
        await session.ShowTabAsync("schedules");
        // Reading is granted: the schedule is listed.
        var row = $"#schedules-body tr[data-schedule-id='{existing.Id}']";
        await session.UntilAsync(async () => await session.AttributeAsync(row, "data-schedule-id") is not null, "the schedule's row", "#tab-schedules");
        // Disabling, deleting and creating are writes: each is refused with the silo's message.
        await session.Page.ClickAsync(row + " button[data-op='disable']");
        await session.UntilAsync(async () => (await session.TextAsync("#schedule-op-error"))?.Contains("needs write access to namespace 'orders'") == true, "the disable's refusal", "#tab-schedules");
        Assert.Contains("/disable", await session.TextAsync("#schedule-op-error"));
        await session.Page.ClickAsync(row + " button[data-op='delete']");
        await session.UntilAsync(async () => (await session.TextAsync("#schedule-op-error"))?.Contains("DELETE") == true, "the delete's refusal", "#tab-schedules");
        Assert.Contains("needs write access to namespace 'orders'", await session.TextAsync("#schedule-op-error"));
        await FillScheduleAsync(session, action);
        await session.UntilAsync(async () => (await session.TextAsync("#schedule-form-error"))?.Length > 0, "the form's error", "#schedule-form");
        Assert.Contains("'orders-reader'", await session.TextAsync("#schedule-form-error"));
        // Nothing changed: the one schedule, still enabled.
        var after = await orders.Schedule.ListAsync();
        Assert.Equal([existing.Id], after.Where(s => s.Definition.Action == action).Select(s => s.Id));
        Assert.True((await orders.Schedule.GetAsync(existing.Id)).Enabled);
        Assert.Equal("true", await session.AttributeAsync(row, "data-enabled"));

        // A run's Cancel is a write too: the run stays pending.
        var runId = await orders.Action.InvokeAsync(action, []);
        var runRow = $"#runs-body tr[data-run-id='{runId}']";
        await session.ShowTabAsync("runs");
        await session.UntilAttributeAsync(runRow, "data-status", "pending", "#runs-body");
        await session.Page.ClickAsync(runRow);
        await session.UntilAttributeAsync("#run-detail", "data-status", "pending", "#run-detail");
        await session.Page.ClickAsync("#run-cancel");
        await session.UntilAsync(async () => (await session.TextAsync("#run-detail-message"))?.Contains("needs write access to namespace 'orders'") == true, "the cancel's refusal", "#run-detail");
        Assert.Equal(RunStatus.Pending, (await orders.Action.GetRunAsync(runId)).Status);
        Assert.Equal("pending", await session.AttributeAsync("#run-detail", "data-status"));
        AssertOnlyRefusals(session);
    }

    /// <summary>The page's only failed requests were the refusals the test caused (401s before the token, 403s after it).</summary>
    private static void AssertOnlyRefusals(DashboardSession session)
        => Assert.All(session.Problems, p => Assert.True(p.Contains("401") || p.Contains("403") || p.Contains("Unauthorized") || p.Contains("Forbidden") || p.Contains("/events"), p));

    private Task<FloClient> ConnectAsync(string ns, string token)
        => silo.Cluster.ConnectAsync(options: PlatformTestCluster.DefaultClientOptions with { Namespace = ns, Token = token });

    /// <summary>Opens the page at <paramref name="path"/> and answers its token prompt with <paramref name="token"/>.</summary>
    private async Task<DashboardSession> SignedInAsync(string path, string token, [CallerMemberName] string test = "")
    {
        var session = await DashboardSession.OpenAsync(chromium.Browser, silo.BaseAddress, output, test: test);
        await session.GotoAsync(path);
        await session.UntilAsync(() => session.Page.IsVisibleAsync("#token-panel"), "the token prompt", "body");
        await session.Page.FillAsync("#token-input", token);
        await session.Page.ClickAsync("#token-save");
        await session.UntilAsync(async () => !await session.Page.IsVisibleAsync("#token-panel"), "the token prompt to close", "body");
        return session;
    }

    /// <summary>Fills the new-schedule form (an interval schedule of <paramref name="action"/>) and submits it.</summary>
    private static async Task FillScheduleAsync(DashboardSession session, string action)
    {
        await session.Page.FillAsync("#schedule-action", action);
        await session.Page.SelectOptionAsync("#schedule-kind", "interval");
        await session.Page.FillAsync("#schedule-interval", "60000");
        await session.Page.ClickAsync("#schedule-create");
    }

    private static List<string> Ids(IEnumerable<Flo.Schedules.ScheduleInfo> schedules) => [.. schedules.Select(s => s.Id).Order(StringComparer.Ordinal)];
}
