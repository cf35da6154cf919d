using System.Text;
using Flo.Endpoints;
using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestingHost;

namespace Flo.Kv.Tests;

/// <summary>A silo killed under a concurrent put load loses no acknowledged put and no version goes backwards.</summary>
[Trait("Category", "Fault")]
public sealed class KvFaultTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task ABlockingGetFollowsItsKeyWhenTheOwningSiloLeaves()
    {
        var options = new TestClusterOptions { InitialSilosCount = 3 };
        options.SiloBuilders.Add(silo => silo.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await cluster.WaitForMembershipToSettleAsync();
        await using var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint);
        var leaving = cluster.Silos[2];
        var view = leaving.Membership.CurrentView;
        var key = Enumerable.Range(0, 1000).Select(i => $"follow:{i}:{Guid.NewGuid():N}")
            .First(k => view.OwnerOf(new GrainId("kv", KvKeys.GrainKey("default", k)))!.Equals(leaving.Address));

        var waiting = client.Kv.GetAsync(key, new GetOptions(BlockMs: 60_000));
        await Task.Delay(300);
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await cluster.StopSiloAsync(leaving);
        // The waiting get did not hold the key's deactivation (that would take the 30 s deactivation timeout).
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {stopping.Elapsed}");
        Assert.False(waiting.IsCompleted, $"the get ended early: {waiting.Status} {waiting.Exception?.GetBaseException()}");

        await cluster.WaitForMembershipToSettleAsync();
        await client.Kv.PutAsync(key, Encoding.UTF8.GetBytes("moved"));
        var entry = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("moved", Encoding.UTF8.GetString(entry!.Value));
    }

    [Fact]
    public async Task EveryAcknowledgedPutSurvivesASiloKill()
    {
        var options = new TestClusterOptions { InitialSilosCount = 3, Storage = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };
        options.SiloBuilders.Add(silo => silo.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await cluster.WaitForMembershipToSettleAsync();
        await using var client = await FloClient.ConnectAsync(string.Join(",", cluster.Silos.Select(s => s.GatewayEndpoint)));

        const int writers = 8, keysPerWriter = 4;
        var acked = new (long Version, string Value)[writers * keysPerWriter];
        var attempted = new List<string>[writers * keysPerWriter];
        for (var i = 0; i < attempted.Length; i++)
        {
            attempted[i] = [];
        }
        var keyNames = Enumerable.Range(0, acked.Length).Select(i => $"fault:{i}:{Guid.NewGuid():N}").ToArray();
        var total = 0;
        var errors = 0;
        var enough = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var k = w * keysPerWriter + n % keysPerWriter;
                var value = $"w{w}-n{n}";
                lock (attempted[k])
                {
                    attempted[k].Add(value);
                }
                try
                {
                    var version = await client.Kv.PutAsync(keyNames[k], Encoding.UTF8.GetBytes(value));
                    Assert.True(version > acked[k].Version, $"version went backwards on {keyNames[k]}: {version} after {acked[k].Version}");
                    acked[k] = (version, value);
                    if (Interlocked.Increment(ref total) == 400)
                    {
                        enough.TrySetResult();
                    }
                }
                catch (FloException)
                {
                    Interlocked.Increment(ref errors);
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await cluster.KillSiloAsync(cluster.Silos[1]);
        await cluster.WaitForMembershipToSettleAsync();
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(60));

        for (var k = 0; k < acked.Length; k++)
        {
            var entry = await client.Kv.GetAsync(keyNames[k]);
            Assert.NotNull(entry);
            Assert.True(entry.Version >= acked[k].Version, $"{keyNames[k]}: version {entry.Version} is older than the acknowledged {acked[k].Version}");
            var value = Encoding.UTF8.GetString(entry.Value);
            if (entry.Version == acked[k].Version)
            {
                Assert.Equal(acked[k].Value, value);
            }
            else
            {
                // A put whose answer was lost may have landed: it must be one that was attempted after the last ack.
                var tried = attempted[k];
                Assert.Contains(value, tried.Skip(tried.IndexOf(acked[k].Value) + 1));
            }
        }
        Assert.True(total > 400);
    }
}
