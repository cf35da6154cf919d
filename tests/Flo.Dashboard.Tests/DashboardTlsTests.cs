using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Flo.Dashboard.Tests;

/// <summary>
/// A silo with TLS serves the dashboard over HTTPS with its certificate, live updates included; a browser that does not
/// trust the silo's authority refuses the page, and plain HTTP on the port gets no page at all.
/// </summary>
[Trait("Category", "Dashboard")]
public sealed class DashboardTlsTests(TlsSilo silo, Chromium chromium, ITestOutputHelper output)
    : IClassFixture<TlsSilo>, IClassFixture<Chromium>
{
    [Fact]
    public async Task ThePageWorksOverHttpsWithTheSilosCertificate()
    {
        var action = $"tls-{Guid.NewGuid():N}";
        await silo.Client.Action.RegisterAsync(action);
        await using var session = await DashboardSession.OpenAsync(chromium.Browser, silo.BaseAddress, output, acceptAnyCertificate: true);
        var response = await session.Page.GotoAsync("/");
        Assert.Equal(200, response?.Status);
        var security = await response!.SecurityDetailsAsync();
        Assert.Equal("flo-silo", security?.SubjectName);
        Assert.Equal("flo-test-ca", security?.Issuer);
        await session.UntilAsync(async () => await session.Page.EvaluateAsync<string?>("() => window.floLoadId ?? null") is not null, "the dashboard's scripts to run", "body");
        var address = silo.Cluster.Silos[0].SiloAddress.ToParsableString();
        await session.UntilAsync(async () => await session.AttributeAsync($"#silos-body tr[data-silo='{address}']", "data-silo") is not null, "the silo in the cluster overview", "#tab-overview");
        // The event stream runs over HTTPS too: a run invoked now shows up without a reload.
        await session.UntilAttributeAsync("#live", "data-state", "live", "header");
        await session.ShowTabAsync("runs");
        var runId = await silo.Client.Action.InvokeAsync(action, []);
        await session.UntilAttributeAsync($"#runs-body tr[data-run-id='{runId}']", "data-status", "pending", "#runs-body");
        session.AssertNoProblems();
    }

    [Fact]
    public async Task ABrowserThatDoesNotTrustTheSilosAuthorityRefusesThePage()
    {
        await using var session = await DashboardSession.OpenAsync(chromium.Browser, silo.BaseAddress, output);
        var refused = await Assert.ThrowsAsync<PlaywrightException>(() => session.Page.GotoAsync("/"));
        output.WriteLine(refused.Message);
        Assert.Contains("ERR_CERT_AUTHORITY_INVALID", refused.Message);
    }

    [Fact]
    public async Task PlainHttpOnTheHttpsPortGetsNoPage()
    {
        await using var session = await DashboardSession.OpenAsync(chromium.Browser, silo.PlainAddress, output);
        var refused = await Assert.ThrowsAsync<PlaywrightException>(() => session.Page.GotoAsync("/"));
        output.WriteLine(refused.Message);
        Assert.Contains("net::ERR_", refused.Message);
    }
}
