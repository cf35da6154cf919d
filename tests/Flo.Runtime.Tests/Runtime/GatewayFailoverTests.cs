using Flo.Client;
using Flo.Runtime.Storage;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Runtime;

/// <summary>A client learns the cluster's gateways from its first silo and moves to another when that one dies.</summary>
[Trait("Category", "Fault")]
public sealed class GatewayFailoverTests
{
    [Fact]
    public async Task AClientConfiguredWithOneGatewayFailsOverToAnAdvertisedOne()
    {
        var dir = Path.Combine(Path.GetTempPath(), "flo-failover-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new TestClusterOptions { InitialSilosCount = 2, Storage = StorageProviderKind.Sqlite, DataDirectory = dir };
            options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
            await using var cluster = await TestCluster.DeployAsync(options);
            var first = cluster.Silos[0];
            await using var client = await ClusterClient.ConnectAsync(new ClusterClientOptions { Gateways = [first.GatewayEndpoint] });
            Assert.Equal(first.Name, client.ConnectedSilo);
            Assert.Contains(cluster.Silos[1].GatewayEndpoint, client.KnownGateways);

            var key = "failover-" + Guid.NewGuid().ToString("N");
            Assert.Equal(1, await client.GetGrain<ICounterGrain>(key).Add(1));

            await cluster.KillSiloAsync(first);
            await cluster.WaitForMembershipToSettleAsync();

            // Calls in flight when the gateway died fail with a typed error; the client is not told to retry
            // non-idempotent calls, so the test does, and the next call goes through the other gateway.
            int? value = null;
            for (var attempt = 0; attempt < 5 && value is null; attempt++)
            {
                try
                {
                    value = await client.GetGrain<ICounterGrain>(key).Add(1);
                }
                catch (SiloUnavailableException)
                {
                }
            }
            Assert.Equal(2, value);
            Assert.Equal(cluster.Silos[1].Name, client.ConnectedSilo);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
