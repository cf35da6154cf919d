using Flo.Endpoints;
using Flo.Runtime.Storage;
using Flo.Streams;
using Flo.TestingHost;
using StackExchange.Redis;

namespace Flo.Bench;

/// <summary>
/// Streams: appends per second, and append → group read → ack round trips, through <see cref="FloClient"/> (one
/// multiplexed connection) against one silo, beside Redis streams (XADD, XREADGROUP, XACK) through StackExchange.Redis
/// (also one multiplexed connection), at the same concurrency, from the same process. 100-byte payloads; in the round
/// trip every caller is a consumer of one group on one stream.
/// </summary>
/// <remarks>
/// This machine's speed drifts by ±15 % over minutes, so each workload runs <c>rounds</c> times with the peer and Flo
/// alternating (peer, Flo, peer, Flo, ...) and the ratio reported is the median of the per-round ratios.
/// </remarks>
public static class StreamBench
{
    private static readonly byte[] Payload = new byte[100];

    public static async Task RunAsync(TimeSpan duration, int? redisPort, int[] concurrencies, string[] storage, int rounds)
    {
        await using var redis = redisPort is { } port ? await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}") : null;
        var peer = redis?.GetDatabase();
        foreach (var name in new[] { "memory", "sqlite" }.Where(storage.Contains))
        {
            var options = name == "memory" ? new TestClusterOptions() : new TestClusterOptions { Storage = StorageProviderKind.Sqlite };
            options.SiloBuilders.Add(s => s.AddFloPlatform());
            await using var cluster = await TestCluster.DeployAsync(options);
            await using var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint);
            foreach (var c in concurrencies)
            {
                await CompareAsync($"append ({name})", c, rounds,
                    peer is null ? null : () => PeerAppendAsync(peer, c, duration),
                    () => FloAppendAsync(client, name, c, duration));
                await CompareAsync($"append+group read+ack ({name})", c, rounds,
                    peer is null ? null : () => PeerRoundTripAsync(peer, c, duration),
                    () => FloRoundTripAsync(client, name, c, duration));
            }
        }
    }

    private static async Task CompareAsync(string what, int c, int rounds, Func<Task<LoadResult>>? peer, Func<Task<LoadResult>> flo)
    {
        var ratios = new List<double>();
        var ours = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var p = peer is null ? null : await peer();
            if (p is not null)
            {
                Console.WriteLine(p);
            }
            var f = await flo();
            Console.WriteLine(f);
            ours.Add(f.PerSecond);
            if (p is not null)
            {
                ratios.Add(f.PerSecond / p.PerSecond);
            }
        }
        var summary = $"  flo {what}: median {Median(ours),10:N0} ops/s";
        Console.WriteLine(ratios.Count == 0 ? summary : $"{summary}, ratio to redis median {Median(ratios):0.00}x (rounds: {string.Join(", ", ratios.Select(x => x.ToString("0.00")))})  c={c}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Task<LoadResult> PeerAppendAsync(IDatabase db, int c, TimeSpan duration)
    {
        var key = $"bench-{Guid.NewGuid():N}";
        return LoadRunner.RunAsync("peer: redis XADD", c, duration, (w, i) => db.StreamAddAsync(key, "payload", Payload));
    }

    private static async Task<LoadResult> PeerRoundTripAsync(IDatabase db, int c, TimeSpan duration)
    {
        var key = $"bench-{Guid.NewGuid():N}";
        await db.StreamCreateConsumerGroupAsync(key, "g", StreamPosition.NewMessages, createStream: true);
        return await LoadRunner.RunAsync("peer: redis XADD+XREADGROUP+XACK", c, duration, async (w, i) =>
        {
            await db.StreamAddAsync(key, "payload", Payload);
            var got = await db.StreamReadGroupAsync(key, "g", $"c{w}", ">", 1);
            if (got.Length > 0)
            {
                await db.StreamAcknowledgeAsync(key, "g", got[0].Id);
            }
        });
    }

    private static Task<LoadResult> FloAppendAsync(FloClient client, string name, int c, TimeSpan duration)
    {
        var s = $"bench-{Guid.NewGuid():N}";
        return LoadRunner.RunAsync($"flo append ({name})", c, duration, (w, i) => client.Stream.AppendAsync(s, Payload));
    }

    private static async Task<LoadResult> FloRoundTripAsync(FloClient client, string name, int c, TimeSpan duration)
    {
        var s = $"bench-{Guid.NewGuid():N}";
        await client.Stream.GroupJoinAsync(s, "g", "c0");
        return await LoadRunner.RunAsync($"flo append+group read+ack ({name})", c, duration, async (w, i) =>
        {
            await client.Stream.AppendAsync(s, Payload);
            var got = await client.Stream.GroupReadAsync(s, "g", $"c{w}", new StreamGroupReadOptions(Count: 1));
            if (got.Count > 0)
            {
                await client.Stream.GroupAckAsync(s, "g", got);
            }
        });
    }
}
