using System.Net;
using System.Net.Http.Json;
using Flo.Client.Tests.Grains;
using Flo.Client.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceSample;

namespace Flo.Client.Tests;

/// <summary>Services on the platform: <c>AddFloClient</c> in a Generic Host, and the sample ASP.NET Core service.</summary>
[Trait("Category", "Client")]
public sealed class ServiceTests(TwoSiloCluster fixture) : IClassFixture<TwoSiloCluster>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AddFloClient_connects_a_host_to_the_cluster_and_calls_the_platform_and_its_own_grains_on_one_connection()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFloClient(o =>
        {
            o.Gateways = [.. fixture.Cluster.Silos.Select(ClientCluster.Gateway)];
            o.ClusterId = fixture.Cluster.Options.ClusterId;
            o.ServiceId = fixture.Cluster.Options.ServiceId;
            o.Namespace = "svc";
        });
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Budget);
        try
        {
            var flo = host.Services.GetRequiredService<FloClient>();
            Assert.Same(host.Services.GetRequiredService<IClusterClient>(), flo.Grains);
            Assert.Equal("svc", flo.Options.Namespace);

            var version = await flo.Kv.PutAsync("hosted", "yes"u8.ToArray()).WaitAsync(Budget);
            var entry = await flo.Kv.GetAsync("hosted").WaitAsync(Budget);
            Assert.Equal("yes"u8.ToArray(), entry!.Value);
            Assert.Equal(version, entry.Version);

            Assert.Contains(fixture.Cluster.Silos, s => s.SiloAddress.Endpoint.Port == flo.Grains.GetGrain<IRetryProbeGrain>("hosted").Where().Result);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Sample_service_counts_visits_in_its_own_grain_and_stores_the_last_visitor_in_kv()
    {
        var app = SampleApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Flo:Gateways:0", ClientCluster.Gateway(fixture.Cluster.Primary!),
            "--Flo:ClusterId", fixture.Cluster.Options.ClusterId,
            "--Flo:ServiceId", fixture.Cluster.Options.ServiceId,
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await app.StartAsync().WaitAsync(Budget);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Budget };
            var name = "ana-" + Guid.NewGuid().ToString("N")[..8];

            var first = await http.GetFromJsonAsync<HelloResponse>($"/hello/{name}");
            var second = await http.GetFromJsonAsync<HelloResponse>($"/hello/{name}");
            Assert.Equal(1, first!.Visits);
            Assert.Equal(2, second!.Visits);
            Assert.Equal($"Hello, {name}!", second.Message);

            var last = await http.GetFromJsonAsync<KvResponse>($"/kv/{SampleApp.LastVisitorKey}");
            Assert.Equal(name, last!.Value);

            var missing = await http.GetAsync($"/kv/missing-{Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

            var invalid = await http.GetAsync($"/kv/{new string('x', 600)}");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
