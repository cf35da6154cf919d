using System.Net.Http;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Runtime;

/// <summary>The silo host: health endpoints, OTLP wiring, option validation.</summary>
[Trait("Category", "Runtime")]
public sealed class SiloHostTests
{
    private static TestClusterOptions Options()
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        return options;
    }

    [Fact]
    public async Task HealthEndpointsAnswerOnceTheSiloIsActive()
    {
        await using var cluster = await TestCluster.DeployAsync(Options());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Silos[0].HttpPort}") };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ASiloWithAnOtlpEndpointStartsAndServesEvenWhenTheCollectorIsDown()
    {
        var options = Options();
        options.SiloConfiguration["Cluster:Telemetry:OtlpEndpoint"] = "http://127.0.0.1:1";
        await using var cluster = await TestCluster.DeployAsync(options);
        Assert.Equal(1, await cluster.GrainFactory.GetGrain<ICounterGrain>(Guid.NewGuid().ToString()).Add(1));
    }

    [Fact]
    public async Task InvalidOptionsFailStartWithAClearMessage()
    {
        var options = Options();
        options.SiloConfiguration["Cluster:Messaging:ResponseTimeout"] = "-00:00:01";
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestCluster.DeployAsync(options));
        Assert.Contains("ResponseTimeout", error.ToString());
    }
}
