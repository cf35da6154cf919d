using System.Net;
using System.Text.Json;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flo.Silo.Tests;

/// <summary>The silo's web side on Orleans: health endpoints, the membership table, the OpenAPI document.</summary>
[Trait("Category", "Silo")]
public sealed class SiloHostTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private HttpClient Http(int silo = 0)
        => new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[silo]).HttpPort}") };

    [Fact]
    public async Task HealthEndpointsAnswerOnceTheSiloIsActive()
    {
        using var http = Http();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ClusterMembersListsEverySiloAsActiveWithItsGateway()
    {
        using var http = Http(1);
        using var json = JsonDocument.Parse(await http.GetStringAsync("/cluster/members"));
        var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(2, members.Count);
        Assert.All(members, m => Assert.Equal("Active", m.GetProperty("status").GetString()));
        var gateways = members.Select(m => m.GetProperty("gateway_port").GetInt32()).Order().ToArray();
        Assert.Equal(fixture.Cluster.Silos.Select(s => s.GatewayAddress.Endpoint.Port).Order().ToArray(), gateways);
    }

    [Fact]
    public async Task TheOpenApiDocumentListsTheHealthRoutes()
    {
        using var http = Http();
        var document = await http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/ns/{ns}/kv/{key}", document);
        Assert.Contains("/cluster/members", document);
        Assert.Contains("/health/live", document);
        Assert.Contains("/health/ready", document);
    }

    [Fact]
    public async Task ACallAnswersTheSameThroughEitherGateway()
    {
        var key = "either-" + Guid.NewGuid().ToString("N");
        await using var first = await fixture.Cluster.ConnectAsync(PlatformTestCluster.Gateway(fixture.Cluster.Silos[0]));
        await using var second = await fixture.Cluster.ConnectAsync(PlatformTestCluster.Gateway(fixture.Cluster.Silos[1]));
        var version = await first.Kv.PutAsync(key, [1, 2, 3]);
        var entry = await second.Kv.GetAsync(key);
        Assert.NotNull(entry);
        Assert.Equal(version, entry.Version);
        Assert.Equal([1, 2, 3], entry.Value);
    }

    [Fact]
    public async Task ByDefaultTheSiloRunsOrleansDashboard()
    {
        using var http = Http();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/orleans/")).StatusCode);
        Assert.NotEmpty(OrleansDashboardParts(PlatformTestCluster.Services(fixture.Cluster.Silos[0])));
    }

    [Fact]
    public async Task WithOrleansDashboardOffTheSiloRunsNoneOfItAndSaysSoUnderOrleans()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Configuration = new Dictionary<string, string?> { ["Cluster:Telemetry:OrleansDashboard"] = "false" },
        });
        var silo = cluster.Silos[0];
        // Its metric reader (which walks every activation each second) and its grain call filter are not there at all.
        Assert.Empty(OrleansDashboardParts(PlatformTestCluster.Services(silo)));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(silo).HttpPort}") };
        var orleans = await http.GetAsync("/orleans/");
        Assert.Equal(HttpStatusCode.NotFound, orleans.StatusCode);
        Assert.Equal("application/problem+json", orleans.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Cluster:Telemetry:OrleansDashboard", await orleans.Content.ReadAsStringAsync());
        // The platform's own dashboard, metrics and API are unaffected.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.Contains("orleans_", await http.GetStringAsync("/metrics"));
        await using var client = await cluster.ConnectAsync();
        await client.Kv.PutAsync("k", [1]);
        Assert.Equal([1], (await client.Kv.GetAsync("k"))!.Value);
    }

    /// <summary>Orleans' dashboard's hosted services and grain call filters in a silo (its types are internal).</summary>
    private static List<object> OrleansDashboardParts(IServiceProvider services)
        => services.GetServices<IHostedService>().Cast<object>()
            .Concat(services.GetServices<Orleans.IIncomingGrainCallFilter>())
            .Where(s => s.GetType().Namespace?.StartsWith("Orleans.Dashboard", StringComparison.Ordinal) == true)
            .ToList();
}
