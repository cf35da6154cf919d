using System.Diagnostics;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;

namespace Flo.Silo.Tests;

/// <summary>
/// A client given one gateway learns the cluster's others, so it carries on when the one it was given dies
/// (Orleans' static gateway list never changes).
/// </summary>
[Trait("Category", "Silo")]
public sealed class GatewayLearningTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AClientGivenOneGatewayCarriesOnThroughAnotherWhenThatOneDies()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions { Silos = 2 });
        // Silo 0 is the test cluster's primary (it keeps the development membership table): the seed is silo 1.
        var seed = cluster.Silos[1];
        await using var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(seed));
        await client.Kv.PutAsync("before", [1]);

        var gateways = ((IClusterClient)client.Grains).ServiceProvider.GetRequiredService<IGatewayListProvider>();
        var started = Stopwatch.StartNew();
        while ((await gateways.GetGateways()).Count < 2)
        {
            Assert.True(started.Elapsed < Budget, "the client never learned the second gateway");
            await Task.Delay(100);
        }

        await cluster.Cluster.KillSiloAsync(seed);
        started.Restart();
        while (true)
        {
            try
            {
                await client.Kv.PutAsync("after", [2]);
                break;
            }
            catch (FloException) when (started.Elapsed < Budget)
            {
                // Not through yet: the client moves to the learned gateway at its next list refresh.
            }
        }
        Assert.Equal((byte)2, (await client.Kv.GetAsync("after"))!.Value[0]);
    }
}
