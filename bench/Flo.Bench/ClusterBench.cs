using Flo.Testing;
using System.Diagnostics;
using Flo.GrainInterfaces.Diagnostics;
using Flo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Flo.Bench;

/// <summary>
/// The cluster: silo→silo calls (a silo's own grain factory calling grains another silo hosts) beside local calls and
/// Redis PING round trips; a client through one gateway of a three-silo cluster (two thirds of calls take a forwarding
/// hop); failover time (kill to the first successful call on a grain the dead silo hosted) and membership convergence
/// (a silo joins / is killed until every silo holds the same view), over PostgreSQL, in this process.
/// </summary>
public static class ClusterBench
{
    public static async Task RunAsync(TimeSpan duration, int? redisPort, string? postgres, int[] concurrencies, int failovers, int rounds)
    {
        await CallsAsync(duration, redisPort, concurrencies, rounds);
        if (postgres is not null)
        {
            await FailoverAsync(postgres, failovers);
        }
        else
        {
            Console.WriteLine("(no --postgres: failover and convergence runs skipped)");
        }
    }

    /// <summary>
    /// <paramref name="count"/> ping grains hosted on <paramref name="target"/>: activated through that silo's own grain
    /// factory (placement prefers the caller's silo) and kept only where <c>IManagementGrain.GetActivationAddress</c>
    /// says they live there.
    /// </summary>
    public static async Task<string[]> KeysOnAsync(PlatformTestCluster cluster, SiloHandle target, int count, string prefix)
    {
        var factory = PlatformTestCluster.GrainFactory(target);
        var keys = new List<string>();
        for (var batch = 0; keys.Count < count; batch++)
        {
            if (batch > 100)
            {
                throw new InvalidOperationException($"Could not place {count} grains on {target.SiloAddress}.");
            }
            var candidates = Enumerable.Range(batch * 64, 64).Select(i => $"{prefix}-{i}").ToArray();
            await Task.WhenAll(candidates.Select(k => factory.GetGrain<IPingGrain>(k).Ping(0)));
            foreach (var k in candidates)
            {
                if (keys.Count < count && Equals((await cluster.HostOfAsync(factory.GetGrain<IPingGrain>(k)))?.SiloAddress, target.SiloAddress))
                {
                    keys.Add(k);
                }
            }
        }
        return [.. keys];
    }

    private static async Task CallsAsync(TimeSpan duration, int? redisPort, int[] concurrencies, int rounds)
    {
        await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Silos = 3 });
        var from = cluster.Silos[0];
        var factory = PlatformTestCluster.GrainFactory(from);
        foreach (var c in concurrencies)
        {
            var local = (await KeysOnAsync(cluster, cluster.Silos[0], c, $"local{c}")).Select(k => factory.GetGrain<IPingGrain>(k)).ToArray();
            var remote = (await KeysOnAsync(cluster, cluster.Silos[1], c, $"remote{c}")).Select(k => factory.GetGrain<IPingGrain>(k)).ToArray();
            Console.WriteLine(await LoadRunner.RunAsync("in-silo call, grain on the same silo", c, duration, (w, i) => local[w].Ping((int)i)));
            await Rounds.CompareAsync("silo->silo call", c, rounds,
                () => LoadRunner.RunAsync("silo->silo call, grain on another silo", c, duration, (w, i) => remote[w].Ping((int)i)),
                GrainCallBench.RedisPing(redisPort, c, duration));
        }

        // One gateway; 300 grains spread over the three silos (a third on each), so two thirds of calls are forwarded.
        var spread = new List<string>();
        foreach (var silo in cluster.Silos)
        {
            spread.AddRange(await KeysOnAsync(cluster, silo, 100, $"spread-{silo.SiloAddress.Endpoint.Port}"));
        }
        await using var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(from));
        var grains = spread.Select(k => client.Grains.GetGrain<IPingGrain>(k)).ToArray();
        foreach (var c in concurrencies)
        {
            await Rounds.CompareAsync("client->3 silos (one gateway)", c, rounds,
                () => LoadRunner.RunAsync("client->3-silo cluster (one gateway)", c, duration, (w, i) => grains[(int)((w + i * c) % grains.Length)].Ping((int)i)),
                GrainCallBench.RedisPing(redisPort, c, duration));
        }
    }

    private static async Task FailoverAsync(string postgres, int runs)
    {
        var failover = new List<double>();
        var killConvergence = new List<double>();
        var joinConvergence = new List<double>();
        await using var database = await BenchDatabase.CreateAsync(postgres);
        for (var run = 0; run < runs; run++)
        {
            await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Silos = 3, Storage = FloStorageProvider.Postgres, ConnectionString = database.ConnectionString });
            await WaitForOneViewAsync(cluster, TimeSpan.FromSeconds(60));

            var joined = await cluster.Cluster.StartAdditionalSiloAsync();
            var joinWatch = Stopwatch.StartNew();
            await WaitForOneViewAsync(cluster, TimeSpan.FromSeconds(60));
            joinConvergence.Add(joinWatch.Elapsed.TotalMilliseconds);

            var victim = cluster.Silos[2];
            var key = (await KeysOnAsync(cluster, victim, 1, $"moved-{run}"))[0];
            await using var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(cluster.Silos[0]));
            var grain = client.Grains.GetGrain<IPingGrain>(key);
            await grain.Ping(1);

            // The in-process kill stops the silo without a goodbye; polling starts once it has returned (else the old
            // activation may still answer), and the time includes it.
            var killed = Stopwatch.StartNew();
            await cluster.Cluster.KillSiloAsync(victim);
            var killCall = killed.Elapsed.TotalMilliseconds;
            while (true)
            {
                try
                {
                    await grain.Ping(2).WaitAsync(TimeSpan.FromSeconds(30));
                    break;
                }
                catch (Exception e) when (e is not TimeoutException)
                {
                    await Task.Delay(5);
                }
            }
            failover.Add(killed.Elapsed.TotalMilliseconds);
            await WaitForOneViewAsync(cluster, TimeSpan.FromSeconds(60));
            killConvergence.Add(killed.Elapsed.TotalMilliseconds);
            Console.WriteLine($"run {run + 1}: kill call returned after {killCall:0} ms, failover {failover[^1]:0} ms, kill convergence {killConvergence[^1]:0} ms, join convergence {joinConvergence[^1]:0} ms");
        }
        Console.WriteLine($"platform membership defaults (probe timeout 1 s, 3 missed probes, 2 votes), PostgreSQL membership table, in-process silos, {runs} runs");
        Console.WriteLine($"{"failover: kill to first answer of a moved grain",-52} median {Rounds.Median(failover),7:0} ms   max {failover.Max(),7:0} ms");
        Console.WriteLine($"{"convergence: kill to every silo on one view",-52} median {Rounds.Median(killConvergence),7:0} ms   max {killConvergence.Max(),7:0} ms");
        Console.WriteLine($"{"convergence: join to every silo on one view",-52} median {Rounds.Median(joinConvergence),7:0} ms   max {joinConvergence.Max(),7:0} ms");
    }

    /// <summary>Waits until every running silo's membership snapshot lists exactly the running silos as active.</summary>
    private static async Task WaitForOneViewAsync(PlatformTestCluster cluster, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var active = cluster.Cluster.GetActiveSilos().ToArray();
            var expected = active.Select(s => s.SiloAddress).ToHashSet();
            var agree = active.All(s =>
            {
                var snapshot = PlatformTestCluster.Services(s).GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
                var live = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToHashSet();
                return live.SetEquals(expected);
            });
            if (agree)
            {
                return;
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException("The silos did not agree on one view.");
            }
            await Task.Delay(5);
        }
    }
}
