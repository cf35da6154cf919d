using Flo.Client;
using Flo.Runtime.Hosting;
using Flo.TestGrains.Runtime;
using Microsoft.Extensions.DependencyInjection;
using static Flo.Runtime.Tests.Client.ClientTestCluster;

namespace Flo.Runtime.Tests.Client;

/// <summary>A connected client keeps its gateway list current and leaves a gateway whose silo stops serving.</summary>
[Trait("Category", "Fault")]
public sealed class GatewayListRefreshTests
{
    private static ClusterClientOptions Refreshing(params string[] gateways)
        => Options(gateways) with { GatewayListRefreshPeriod = TimeSpan.FromMilliseconds(100) };

    [Fact]
    public async Task TheRefreshLearnsASiloStartedLaterAndForgetsOneThatStoppedButKeepsTheSeeds()
    {
        await using var cluster = await DeployAsync(1);
        var first = cluster.Silos[0];
        // A seed the cluster never advertises (nothing listens there): configured seeds are never dropped.
        const string seedOnly = "127.0.0.1:1";
        await using var client = await ClusterClient.ConnectAsync(Refreshing(first.GatewayEndpoint, seedOnly));
        Assert.Equal(first.Name, client.ConnectedSilo);
        Assert.Equal([first.GatewayEndpoint, seedOnly], client.KnownGateways);

        // (Not asserted right after the start: a refresh may already have run by then.)
        var later = await cluster.StartSiloAsync();
        await WaitUntilAsync(() => client.KnownGateways.Contains(later.GatewayEndpoint), "the refresh lists the new silo's gateway");

        await cluster.StopSiloAsync(later);
        await WaitUntilAsync(() => !client.KnownGateways.Contains(later.GatewayEndpoint), "the refresh drops the stopped silo's gateway");
        Assert.Equal([first.GatewayEndpoint, seedOnly], client.KnownGateways);
        Assert.Equal(first.Name, client.ConnectedSilo);
    }

    [Fact]
    public async Task WithoutRefreshTheListIsOnlyLearnedAtConnect()
    {
        await using var cluster = await DeployAsync(1);
        await using var client = await ClusterClient.ConnectAsync(Options(cluster.Silos[0].GatewayEndpoint));
        var later = await cluster.StartSiloAsync();
        await Task.Delay(500);
        Assert.DoesNotContain(later.GatewayEndpoint, client.KnownGateways);
    }

    [Fact]
    public async Task NewCallsLeaveAGatewayWhoseSiloNoLongerServes()
    {
        await using var cluster = await DeployAsync(2);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        await using var client = await ClusterClient.ConnectAsync(Refreshing(first.GatewayEndpoint));
        Assert.Equal(first.Name, client.ConnectedSilo);

        // Connections stay open but the silo no longer serves (what a draining silo looks like); the refresh answer
        // says so, and the client moves before any call has to be turned away.
        first.Services.GetRequiredService<SiloDetails>().Kill();
        await WaitUntilAsync(() => client.ConnectedSilo != first.Name, "the client leaves the gateway that stopped serving");

        var key = NewKey("moved");
        Assert.Equal(second.Name, await client.GetGrain<IRetryProbeGrain>(key).Increment());
        Assert.Equal(second.Name, client.ConnectedSilo);
        Assert.Equal(1, RetryProbe.RunsOf(key));
    }
}
