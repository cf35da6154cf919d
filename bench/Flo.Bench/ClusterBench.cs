using System.Diagnostics;
using Flo.Client;
using Flo.GrainInterfaces.Diagnostics;
using Flo.Grains;
using Flo.Runtime.Storage;
using Flo.TestingHost;

namespace Flo.Bench;

/// <summary>
/// The cluster: silo→silo calls (a grain factory on one silo calling grains another silo owns) beside local calls
/// and Redis PING round trips; a client through one gateway of a three-silo cluster (two thirds of calls take a
/// forwarding hop); failover time (kill to the first successful call on a grain the dead silo owned) and membership
/// convergence (a silo joins / is killed until every silo holds the same view), over PostgreSQL.
/// </summary>
public static class ClusterBench
{
    public static async Task RunAsync(TimeSpan duration, int? redisPort, string? postgres, int[] concurrencies, int failovers)
    {
        await CallsAsync(duration, redisPort, concurrencies);
        if (postgres is not null)
        {
            await FailoverAsync(postgres, failovers);
        }
        else
        {
            Console.WriteLine("(no --postgres: failover and convergence runs skipped)");
        }
    }

    private static async Task CallsAsync(TimeSpan duration, int? redisPort, int[] concurrencies)
    {
        var options = new TestClusterOptions { InitialSilosCount = 3 };
        options.GrainAssemblies.Add(typeof(GrainsAssembly).Assembly);
        await using var cluster = await TestCluster.DeployAsync(options);
        await cluster.WaitForMembershipToSettleAsync();
        var from = cluster.Silos[0];
        var view = from.Membership.CurrentView;
        string[] KeysOn(int silo, int count, string prefix) => Enumerable.Range(0, int.MaxValue)
            .Select(i => $"{prefix}-{i}")
            .Where(k => view.OwnerOf(new GrainId("ping", k))!.Equals(cluster.Silos[silo].Address))
            .Take(count).ToArray();

        foreach (var c in concurrencies)
        {
            var local = KeysOn(0, c, "local").Select(k => from.GrainFactory.GetGrain<IPingGrain>(k)).ToArray();
            var remote = KeysOn(1, c, "remote").Select(k => from.GrainFactory.GetGrain<IPingGrain>(k)).ToArray();
            var l = await LoadRunner.RunAsync("in-silo call, grain on the same silo", c, duration, (w, i) => local[w].Ping((int)i));
            Console.WriteLine(l);
            var r = await LoadRunner.RunAsync("silo->silo call, grain on another silo", c, duration, (w, i) => remote[w].Ping((int)i));
            Console.WriteLine(r);
            await PeerAsync(redisPort, c, duration, r);
        }

        await using var client = await ClusterClient.ConnectAsync(new ClusterClientOptions { Gateways = [from.GatewayEndpoint] });
        foreach (var c in concurrencies)
        {
            var grains = Enumerable.Range(0, Math.Max(c, 300)).Select(i => client.GetGrain<IPingGrain>($"spread-{i}")).ToArray();
            var result = await LoadRunner.RunAsync("client->3-silo cluster (one gateway)", c, duration, (w, i) => grains[(int)((w + i * c) % grains.Length)].Ping((int)i));
            Console.WriteLine(result);
            await PeerAsync(redisPort, c, duration, result);
        }
    }

    private static async Task PeerAsync(int? redisPort, int c, TimeSpan duration, LoadResult ours)
    {
        if (redisPort is not { } port)
        {
            return;
        }
        var peers = await Task.WhenAll(Enumerable.Range(0, c).Select(_ => RespPingClient.ConnectAsync("127.0.0.1", port)));
        var peer = await LoadRunner.RunAsync("peer: redis PING round trip", c, duration, (w, _) => peers[w].PingAsync());
        Console.WriteLine(peer);
        Console.WriteLine($"{"  ratio flo/redis",-44} c={c,-4} {ours.PerSecond / peer.PerSecond,12:0.00}x");
        foreach (var p in peers)
        {
            await p.DisposeAsync();
        }
    }

    private static async Task FailoverAsync(string postgres, int runs)
    {
        var failover = new List<double>();
        var killConvergence = new List<double>();
        var joinConvergence = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var options = new TestClusterOptions { InitialSilosCount = 3, Storage = StorageProviderKind.Postgres, ConnectionString = postgres };
            options.GrainAssemblies.Add(typeof(GrainsAssembly).Assembly);
            await using var cluster = await TestCluster.DeployAsync(options);
            await cluster.WaitForMembershipToSettleAsync();

            await cluster.StartSiloAsync();
            joinConvergence.Add((await cluster.WaitForMembershipToSettleAsync()).TotalMilliseconds);

            await using var client = await ClusterClient.ConnectAsync(new ClusterClientOptions { Gateways = [cluster.Silos[0].GatewayEndpoint] });
            var victim = cluster.Silos[2];
            var view = cluster.Silos[0].Membership.CurrentView;
            var key = Enumerable.Range(0, int.MaxValue).Select(i => $"moved-{run}-{i}").First(k => view.OwnerOf(new GrainId("ping", k))!.Equals(victim.Address));
            var grain = client.GetGrain<IPingGrain>(key);
            await grain.Ping(1);

            var killed = Stopwatch.StartNew();
            await cluster.KillSiloAsync(victim);
            while (true)
            {
                try
                {
                    await grain.Ping(2);
                    break;
                }
                catch (FloException)
                {
                    await Task.Delay(5);
                }
            }
            failover.Add(killed.Elapsed.TotalMilliseconds);
            await cluster.WaitForMembershipToSettleAsync();
            killConvergence.Add(killed.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"probe period 250 ms, 3 missed probes, 2 votes of 3 silos (TestCluster timings), PostgreSQL membership table, {runs} runs");
        Console.WriteLine($"{"failover: kill to first answer of a moved grain",-52} median {Median(failover),7:0} ms   max {failover.Max(),7:0} ms");
        Console.WriteLine($"{"convergence: kill to every silo on one view",-52} median {Median(killConvergence),7:0} ms   max {killConvergence.Max(),7:0} ms");
        Console.WriteLine($"{"convergence: join to every silo on one view",-52} median {Median(joinConvergence),7:0} ms   max {joinConvergence.Max(),7:0} ms");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
