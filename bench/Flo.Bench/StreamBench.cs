using Flo.Testing;
using Flo.Storage;
using Flo.Streams;
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
            await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Storage = name == "memory" ? FloStorageProvider.Memory : FloStorageProvider.Sqlite });
            await using var client = await cluster.ConnectAsync();
            foreach (var c in concurrencies)
            {
                await Rounds.CompareAsync($"append ({name})", c, rounds,
                    () => FloAppendAsync(client, name, c, duration),
                    peer is null ? null : new Peer("redis XADD", () => PeerAppendAsync(peer, c, duration)));
                await Rounds.CompareAsync($"append+group read+ack ({name})", c, rounds,
                    () => FloRoundTripAsync(client, name, c, duration),
                    peer is null ? null : new Peer("redis XADD+XREADGROUP+XACK", () => PeerRoundTripAsync(peer, c, duration)));
            }
        }
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
