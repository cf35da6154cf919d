using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Flo.Dashboard.Tests;

/// <summary>
/// A silo with <c>Cluster:HttpToken</c>: the API, the event stream and the Orleans dashboard answer 401 without the
/// token, health and the dashboard's files do not need it, and the page asks for it and then works, live updates included.
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
}
