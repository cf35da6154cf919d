using Flo.Testing;
using Flo.GrainInterfaces.Diagnostics;

namespace Flo.Bench;

/// <summary>
/// Grain calls per second and latency: in-silo (the silo's own grain factory, no network) and client→silo (a
/// <see cref="FloClient"/> over the gateway's TCP connection), at 1 and 100 concurrent callers; side by side with Redis
/// PING round trips at the same concurrency (alternating rounds, median ratio).
/// </summary>
public static class GrainCallBench
{
    public static async Task RunAsync(TimeSpan duration, int? redisPort, int[] concurrencies, int rounds)
    {
        await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions());
        var inside = PlatformTestCluster.GrainFactory(cluster.Silos[0]);

        foreach (var c in concurrencies)
        {
            var grains = Enumerable.Range(0, c).Select(i => inside.GetGrain<IPingGrain>($"in-{i}")).ToArray();
            Console.WriteLine(await LoadRunner.RunAsync("in-silo call (IPingGrain.Ping)", c, duration, (w, i) => grains[w].Ping((int)i)));
        }

        await using var client = await cluster.ConnectAsync();
        foreach (var c in concurrencies)
        {
            var grains = Enumerable.Range(0, c).Select(i => client.Grains.GetGrain<IPingGrain>($"out-{i}")).ToArray();
            await Rounds.CompareAsync("client->silo call", c, rounds,
                () => LoadRunner.RunAsync("client->silo call (IPingGrain.Ping)", c, duration, (w, i) => grains[w].Ping((int)i)),
                RedisPing(redisPort, c, duration));
            // The same calls through a plain Orleans client (the test cluster's own, same TCP gateway) without FloClient's
            // outgoing call filter (retry rules, call scope): what the filter costs per call.
            var plain = Enumerable.Range(0, c).Select(i => cluster.Cluster.Client.GetGrain<IPingGrain>($"out-{i}")).ToArray();
            try
            {
                Console.WriteLine(await LoadRunner.RunAsync("client->silo call, plain Orleans client", c, duration, (w, i) => plain[w].Ping((int)i))
                    .WaitAsync(duration * 3 + TimeSpan.FromSeconds(30)));
            }
            catch (TimeoutException)
            {
                Console.WriteLine("client->silo call, plain Orleans client: did not finish (a call hung)");
            }
        }
    }

    /// <summary>Redis PING round trips, one connection per caller.</summary>
    public static Peer? RedisPing(int? redisPort, int c, TimeSpan duration) => redisPort is not { } port ? null : new Peer("redis PING", async () =>
    {
        var peers = await Task.WhenAll(Enumerable.Range(0, c).Select(_ => RespPingClient.ConnectAsync("127.0.0.1", port)));
        try
        {
            return await LoadRunner.RunAsync("peer: redis PING round trip", c, duration, (w, _) => peers[w].PingAsync());
        }
        finally
        {
            foreach (var p in peers)
            {
                await p.DisposeAsync();
            }
        }
    });
}
