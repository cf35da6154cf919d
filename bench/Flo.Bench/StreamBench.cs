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
public static class StreamBench
{
    private static readonly byte[] Payload = new byte[100];

    public static async Task RunAsync(TimeSpan duration, int? redisPort, int[] concurrencies, string[] storage)
    {
        var peer = new Dictionary<(string, int), LoadResult>();
        if (redisPort is { } port)
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}");
            var db = redis.GetDatabase();
            foreach (var c in concurrencies)
            {
                var key = $"bench-{Guid.NewGuid():N}";
                peer[("append", c)] = await LoadRunner.RunAsync("peer: redis XADD", c, duration, (w, i) => db.StreamAddAsync(key, "payload", Payload));
                Console.WriteLine(peer[("append", c)]);
                var cycleKey = $"bench-{Guid.NewGuid():N}";
                await db.StreamCreateConsumerGroupAsync(cycleKey, "g", StreamPosition.NewMessages, createStream: true);
                peer[("cycle", c)] = await LoadRunner.RunAsync("peer: redis XADD+XREADGROUP+XACK", c, duration, async (w, i) =>
                {
                    await db.StreamAddAsync(cycleKey, "payload", Payload);
                    var got = await db.StreamReadGroupAsync(cycleKey, "g", $"c{w}", ">", 1);
                    if (got.Length > 0)
                    {
                        await db.StreamAcknowledgeAsync(cycleKey, "g", got[0].Id);
                    }
                });
                Console.WriteLine(peer[("cycle", c)]);
            }
        }
        if (storage.Contains("memory"))
        {
            await RunFloAsync("memory", new TestClusterOptions(), duration, concurrencies, peer);
        }
        if (storage.Contains("sqlite"))
        {
            await RunFloAsync("sqlite", new TestClusterOptions { Storage = StorageProviderKind.Sqlite }, duration, concurrencies, peer);
        }
    }

    private static async Task RunFloAsync(string name, TestClusterOptions options, TimeSpan duration, int[] concurrencies, Dictionary<(string, int), LoadResult> peer)
    {
        options.SiloBuilders.Add(s => s.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await using var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint);
        foreach (var c in concurrencies)
        {
            var s = $"bench-{Guid.NewGuid():N}";
            var append = await LoadRunner.RunAsync($"flo append ({name})", c, duration, (w, i) => client.Stream.AppendAsync(s, Payload));
            Console.WriteLine(append);
            Ratio("append", c, append, peer, "redis XADD");
            var cycle = $"bench-{Guid.NewGuid():N}";
            await client.Stream.GroupJoinAsync(cycle, "g", "c0");
            var round = await LoadRunner.RunAsync($"flo append+group read+ack ({name})", c, duration, async (w, i) =>
            {
                await client.Stream.AppendAsync(cycle, Payload);
                var got = await client.Stream.GroupReadAsync(cycle, "g", $"c{w}", new StreamGroupReadOptions(Count: 1));
                if (got.Count > 0)
                {
                    await client.Stream.GroupAckAsync(cycle, "g", got);
                }
            });
            Console.WriteLine(round);
            Ratio("cycle", c, round, peer, "redis XADD+XREADGROUP+XACK");
        }
    }

    private static void Ratio(string kind, int c, LoadResult ours, Dictionary<(string, int), LoadResult> peer, string peerName)
    {
        if (peer.TryGetValue((kind, c), out var p))
        {
            Console.WriteLine($"{"  ratio flo / " + peerName,-44} c={c,-4} {ours.PerSecond / p.PerSecond,12:0.00}x");
        }
    }
}
