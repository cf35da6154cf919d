using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Runtime.Tests.Runtime;

/// <summary>A silo killed under load (no graceful leave) loses nothing it acknowledged.</summary>
[Trait("Category", "Fault")]
public sealed class SiloKillTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task NothingAcknowledgedIsLostWhenTheSiloIsKilledUnderLoad()
    {
        var options = new TestClusterOptions { Storage = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        await using var cluster = await TestCluster.DeployAsync(options);
        var keys = Enumerable.Range(0, 20).Select(i => $"kill-{i}-{Guid.NewGuid():N}").ToArray();
        var acked = new int[keys.Length];
        var attempted = new int[keys.Length];
        var killed = new TaskCompletionSource();

        var load = keys.Select(async (key, k) =>
        {
            var grain = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
            while (true)
            {
                Interlocked.Increment(ref attempted[k]);
                try
                {
                    await grain.Add(1);
                    Interlocked.Increment(ref acked[k]);
                }
                catch (SiloUnavailableException)
                {
                    return; // typed error once the silo is gone
                }
                catch (GrainCallTimeoutException)
                {
                    return;
                }
                if (acked.Sum() >= 400)
                {
                    killed.TrySetResult();
                }
            }
        }).ToArray();

        await killed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var silo = cluster.Silos[0];
        var address = silo.Services.GetRequiredService<SiloDetails>().Address!;
        await cluster.KillSiloAsync(silo);
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(60));

        // A crash leaves the row Active: only the cluster may declare the incarnation dead. The new silo, alone,
        // finds it unreachable with a stale heartbeat while joining and votes it dead (one vote suffices for one
        // active silo); a graceful leave would have left no vote.
        var restarted = await cluster.StartSiloAsync();
        await cluster.WaitForMembershipToSettleAsync();
        var table = restarted.Services.GetRequiredService<IMembershipTable>();
        var row = (await table.ReadRowAsync(address, CancellationToken.None)).Entries.Single();
        Assert.Equal(SiloStatus.Dead, row.Entry.Status);
        Assert.Contains(row.Entry.Suspicions, v => v.Voter.Equals(restarted.Address));

        await using var client = await cluster.ConnectClientAsync();
        for (var k = 0; k < keys.Length; k++)
        {
            var value = await client.GetGrain<ICounterGrain>(keys[k]).Get();
            Assert.InRange(value, acked[k], attempted[k]);
        }
    }
}
