using Flo.Testing;
using Flo.Storage;
using StackExchange.Redis;

namespace Flo.Bench;

/// <summary>
/// KV through <see cref="FloClient"/>: puts and gets with the memory provider beside Redis SET/GET round trips, and
/// durable puts (SQLite, PostgreSQL) beside etcd puts through its JSON gateway and Redis SETs with
/// <c>appendfsync always</c>, at the same concurrency. Redis is driven two ways: one connection per caller (a plain
/// RESP client), and StackExchange.Redis over one multiplexed connection, as Flo's client multiplexes one connection.
/// 100-byte values, each caller cycling over 100 keys of its own. Alternating rounds.
/// </summary>
public static class KvBench
{
    private static readonly byte[] Value = new byte[100];

    public static async Task RunAsync(TimeSpan duration, int? redisPort, int? redisFsyncPort, string? etcd, string? postgres, int[] concurrencies, int rounds)
    {
        await RunProviderAsync("memory", new PlatformClusterOptions(), concurrencies, async (client, c) =>
        {
            await Rounds.CompareAsync("put (memory)", c, rounds, () => FloPutAsync(client, "memory", c, duration),
                RedisSet("redis SET", redisPort, c, duration), MultiplexedSet("redis SET (StackExchange.Redis)", redisPort, c, duration));
            await Rounds.CompareAsync("get (memory)", c, rounds,
                () => LoadRunner.RunAsync("flo get (memory)", c, duration, (w, i) => client.Kv.GetAsync($"bench:{w}:{i % 100}")),
                redisPort is not { } port ? null : new Peer("redis GET", () => WithRespAsync(port, c, peers =>
                    LoadRunner.RunAsync("peer: redis GET", c, duration, (w, i) => peers[w].GetAsync($"bench:{w}:{i % 100}")))),
                redisPort is not { } multiplexed ? null : new Peer("redis GET (StackExchange.Redis)", () => WithMultiplexerAsync(multiplexed, db =>
                    LoadRunner.RunAsync("peer: redis GET (StackExchange.Redis)", c, duration, (w, i) => db.StringGetAsync($"bench:{w}:{i % 100}")))));
        });
        await MeasureReclaimAsync();

        Peer? Etcd(int c) => etcd is null ? null : new Peer("etcd put", async () =>
        {
            using var client = new EtcdClient(etcd);
            return await LoadRunner.RunAsync("peer: etcd put (JSON gateway)", c, duration, (w, i) => client.PutAsync($"bench:{w}:{i % 100}", Value));
        });
        await RunProviderAsync("sqlite", new PlatformClusterOptions { Storage = FloStorageProvider.Sqlite }, concurrencies, (client, c) =>
            Rounds.CompareAsync("put (sqlite)", c, rounds, () => FloPutAsync(client, "sqlite", c, duration), Etcd(c), RedisSet("redis SET appendfsync always", redisFsyncPort, c, duration),
                MultiplexedSet("redis SET appendfsync always (StackExchange.Redis)", redisFsyncPort, c, duration)));
        if (postgres is not null)
        {
            await using var database = await BenchDatabase.CreateAsync(postgres);
            await RunProviderAsync("postgres", new PlatformClusterOptions { Storage = FloStorageProvider.Postgres, ConnectionString = database.ConnectionString }, concurrencies, (client, c) =>
                Rounds.CompareAsync("put (postgres)", c, rounds, () => FloPutAsync(client, "postgres", c, duration), Etcd(c), RedisSet("redis SET appendfsync always", redisFsyncPort, c, duration),
                    MultiplexedSet("redis SET appendfsync always (StackExchange.Redis)", redisFsyncPort, c, duration)));
        }
    }

    private static Task<LoadResult> FloPutAsync(FloClient client, string name, int c, TimeSpan duration)
        => LoadRunner.RunAsync($"flo put ({name})", c, duration, (w, i) => client.Kv.PutAsync($"bench:{w}:{i % 100}", Value));

    private static Peer? RedisSet(string name, int? port, int c, TimeSpan duration) => port is not { } p ? null : new Peer(name, () => WithRespAsync(p, c, peers =>
        LoadRunner.RunAsync($"peer: {name}", c, duration, (w, i) => peers[w].SetAsync($"bench:{w}:{i % 100}", Value))));

    private static Peer? MultiplexedSet(string name, int? port, int c, TimeSpan duration) => port is not { } p ? null : new Peer(name, () => WithMultiplexerAsync(p, db =>
        LoadRunner.RunAsync($"peer: {name}", c, duration, (w, i) => db.StringSetAsync($"bench:{w}:{i % 100}", Value))));

    /// <summary>Runs <paramref name="run"/> over one StackExchange.Redis connection to the peer on <paramref name="port"/>.</summary>
    private static async Task<LoadResult> WithMultiplexerAsync(int port, Func<IDatabase, Task<LoadResult>> run)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}");
        return await run(redis.GetDatabase());
    }

    private static async Task<LoadResult> WithRespAsync(int port, int c, Func<RespKvClient[], Task<LoadResult>> run)
    {
        var peers = await Task.WhenAll(Enumerable.Range(0, c).Select(_ => RespKvClient.ConnectAsync("127.0.0.1", port)));
        try
        {
            return await run(peers);
        }
        finally
        {
            foreach (var p in peers)
            {
                await p.DisposeAsync();
            }
        }
    }

    /// <summary>Memory-provider puts at c=50 and nothing else, for a profiler to attach to.</summary>
    public static async Task PutsOnlyAsync(TimeSpan duration)
    {
        await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions());
        await using var client = await cluster.ConnectAsync();
        Console.WriteLine(await LoadRunner.RunAsync("flo put (memory)", 50, duration, (w, i) => client.Kv.PutAsync($"bench:{w}:{i % 100}", Value)));
    }

    /// <summary>How long after expiry the background sweep has dropped the values of 1,000 expired keys (SQLite).</summary>
    private static async Task MeasureReclaimAsync()
    {
        await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Storage = FloStorageProvider.Sqlite });
        await using var client = await cluster.ConnectAsync();
        var keys = Enumerable.Range(0, 1000).Select(i => $"ttl:{i}").ToArray();
        await Task.WhenAll(keys.Select(k => client.Kv.PutAsync(k, new byte[1000], new Flo.Kv.PutOptions(TtlSeconds: 1))));
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(1);
        var pending = keys.ToList();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (pending.Count > 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
            var histories = await Task.WhenAll(pending.Select(k => client.Kv.HistoryAsync(k)));
            pending = pending.Where((_, i) => histories[i] is not [{ IsTombstone: true, Value: null }]).ToList();
        }
        Console.WriteLine(pending.Count == 0
            ? $"{"ttl reclaim: 1,000 keys (1 KB values, SQLite)",-44}       all values dropped {(DateTimeOffset.UtcNow - expiresAt).TotalMilliseconds,8:0} ms after expiry"
            : $"{"ttl reclaim: 1,000 keys (1 KB values, SQLite)",-44}       {pending.Count} values still kept 60 s after expiry");
    }

    private static async Task RunProviderAsync(string name, PlatformClusterOptions options, int[] concurrencies, Func<FloClient, int, Task> compare)
    {
        await using var cluster = await BenchCluster.DeployAsync(options);
        await using var client = await cluster.ConnectAsync();
        // Steady state: every key the callers use exists (a key's first put also adds it to the namespace index).
        var most = concurrencies.Max();
        await Task.WhenAll(Enumerable.Range(0, most).Select(async w =>
        {
            for (var i = 0; i < 100; i++)
            {
                await client.Kv.PutAsync($"bench:{w}:{i}", Value);
            }
        }));
        foreach (var c in concurrencies)
        {
            await compare(client, c);
        }
    }
}
