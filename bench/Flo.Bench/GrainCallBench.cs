using Flo.Client;
using Flo.GrainInterfaces.Diagnostics;
using Flo.Grains;
using Flo.TestingHost;

namespace Flo.Bench;

/// <summary>
/// Grain calls per second and latency: in-silo (a grain factory inside the silo, no network) and client→silo
/// (over the gateway's TCP connection), at 1 and 100 concurrent callers; side by side with Redis PING round trips
/// at the same concurrency when a Redis port is given.
/// </summary>
public static class GrainCallBench
{
    public static async Task<List<LoadResult>> RunAsync(TimeSpan duration, int? redisPort, int[] concurrencies)
    {
        var results = new List<LoadResult>();
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(GrainsAssembly).Assembly);
        await using var cluster = await TestCluster.DeployAsync(options);
        var inside = cluster.Silos[0].GrainFactory;

        foreach (var c in concurrencies)
        {
            var grains = Enumerable.Range(0, c).Select(i => inside.GetGrain<IPingGrain>($"in-{i}")).ToArray();
            results.Add(await LoadRunner.RunAsync("in-silo call (IPingGrain.Ping)", c, duration, (w, i) => grains[w].Ping((int)i)));
            Console.WriteLine(results[^1]);
        }

        await using var client = await cluster.ConnectClientAsync();
        foreach (var c in concurrencies)
        {
            var grains = Enumerable.Range(0, c).Select(i => client.GetGrain<IPingGrain>($"out-{i}")).ToArray();
            results.Add(await LoadRunner.RunAsync("client->silo call (IPingGrain.Ping)", c, duration, (w, i) => grains[w].Ping((int)i)));
            Console.WriteLine(results[^1]);
            if (redisPort is { } port)
            {
                var peers = await Task.WhenAll(Enumerable.Range(0, c).Select(_ => RespPingClient.ConnectAsync("127.0.0.1", port)));
                var peer = await LoadRunner.RunAsync("peer: redis PING round trip", c, duration, (w, _) => peers[w].PingAsync());
                results.Add(peer);
                Console.WriteLine(peer);
                Console.WriteLine($"{"  ratio flo/redis",-44} c={c,-4} {results[^2].PerSecond / peer.PerSecond,12:0.00}x");
                foreach (var p in peers)
                {
                    await p.DisposeAsync();
                }
            }
        }
        return results;
    }
}
