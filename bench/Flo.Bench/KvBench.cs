using Flo.Endpoints;
using Flo.Runtime.Storage;
using Flo.TestingHost;

namespace Flo.Bench;

/// <summary>
/// KV through <see cref="FloClient"/>: puts and gets with the memory provider beside Redis SET/GET round trips, and
/// durable puts (SQLite, PostgreSQL) beside etcd puts through its JSON gateway, at the same concurrency (one
/// connection per caller for the peers; Flo's client multiplexes one connection). 100-byte values, each caller
/// cycling over 100 keys of its own.
/// </summary>
public static class KvBench
{
    private static readonly byte[] Value = new byte[100];

    public static async Task RunAsync(TimeSpan duration, int? redisPort, string? etcd, string? postgres, int[] concurrencies)
    {
        await RunProviderAsync("memory", new TestClusterOptions(), duration, concurrencies, gets: true, async (c, ours) =>
        {
            if (redisPort is not { } port)
            {
                return;
            }
            var peers = await Task.WhenAll(Enumerable.Range(0, c).Select(_ => RespKvClient.ConnectAsync("127.0.0.1", port)));
            var set = await LoadRunner.RunAsync("peer: redis SET", c, duration, (w, i) => peers[w].SetAsync($"bench:{w}:{i % 100}", Value));
            Console.WriteLine(set);
            Console.WriteLine($"{"  ratio flo put / redis SET",-44} c={c,-4} {ours[0].PerSecond / set.PerSecond,12:0.00}x");
            var get = await LoadRunner.RunAsync("peer: redis GET", c, duration, (w, i) => peers[w].GetAsync($"bench:{w}:{i % 100}"));
            Console.WriteLine(get);
            Console.WriteLine($"{"  ratio flo get / redis GET",-44} c={c,-4} {ours[1].PerSecond / get.PerSecond,12:0.00}x");
            foreach (var p in peers)
            {
                await p.DisposeAsync();
            }
        });
        await MeasureReclaimAsync();
        async Task Etcd(int c, List<LoadResult> ours)
        {
            if (etcd is null)
            {
                return;
            }
            using var client = new EtcdClient(etcd);
            var put = await LoadRunner.RunAsync("peer: etcd put (JSON gateway)", c, duration, (w, i) => client.PutAsync($"bench:{w}:{i % 100}", Value));
            Console.WriteLine(put);
            Console.WriteLine($"{"  ratio flo put / etcd put",-44} c={c,-4} {ours[0].PerSecond / put.PerSecond,12:0.00}x");
        }
        await RunProviderAsync("sqlite", new TestClusterOptions { Storage = StorageProviderKind.Sqlite }, duration, concurrencies, gets: false, Etcd);
        if (postgres is not null)
        {
            await RunProviderAsync("postgres", new TestClusterOptions { Storage = StorageProviderKind.Postgres, ConnectionString = postgres }, duration, concurrencies, gets: false, Etcd);
        }
    }

    /// <summary>Memory-provider puts at c=50 and nothing else, for a profiler to attach to.</summary>
    public static async Task PutsOnlyAsync(TimeSpan duration)
    {
        var options = new TestClusterOptions();
        options.SiloBuilders.Add(s => s.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await using var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint);
        Console.WriteLine(await LoadRunner.RunAsync("flo put (memory)", 50, duration, (w, i) => client.Kv.PutAsync($"bench:{w}:{i % 100}", Value)));
    }

    /// <summary>How long after expiry the background sweep has dropped the values of 1,000 expired keys (SQLite).</summary>
    private static async Task MeasureReclaimAsync()
    {
        var options = new TestClusterOptions { Storage = StorageProviderKind.Sqlite };
        options.SiloBuilders.Add(s => s.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await using var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint);
        var keys = Enumerable.Range(0, 1000).Select(i => $"ttl:{i}").ToArray();
        await Task.WhenAll(keys.Select(k => client.Kv.PutAsync(k, new byte[1000], new Flo.Kv.PutOptions(TtlSeconds: 1))));
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(1);
        var pending = keys.ToList();
        while (pending.Count > 0)
        {
            await Task.Delay(100);
            var histories = await Task.WhenAll(pending.Select(k => client.Kv.HistoryAsync(k)));
            pending = pending.Where((_, i) => histories[i] is not [{ IsTombstone: true, Value: null }]).ToList();
        }
        Console.WriteLine($"{"ttl reclaim: 1,000 keys (1 KB values, SQLite)",-44}       all values dropped {(DateTimeOffset.UtcNow - expiresAt).TotalMilliseconds,8:0} ms after expiry");
    }

    private static async Task RunProviderAsync(string name, TestClusterOptions options, TimeSpan duration, int[] concurrencies, bool gets, Func<int, List<LoadResult>, Task> peer)
    {
        options.SiloBuilders.Add(s => s.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await using var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint);
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
            var ours = new List<LoadResult>();
            var put = await LoadRunner.RunAsync($"flo put ({name})", c, duration, (w, i) => client.Kv.PutAsync($"bench:{w}:{i % 100}", Value));
            Console.WriteLine(put);
            ours.Add(put);
            if (gets)
            {
                var get = await LoadRunner.RunAsync($"flo get ({name})", c, duration, (w, i) => client.Kv.GetAsync($"bench:{w}:{i % 100}"));
                Console.WriteLine(get);
                ours.Add(get);
            }
            await peer(c, ours);
        }
    }
}
