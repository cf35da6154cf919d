using Flo.Testing;
using Flo.Grains;
using Flo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;

namespace Flo.Bench;

/// <summary>
/// Grain state writes per second per provider: each writer repeatedly writes a 256-byte state of its own grain through
/// the platform's <see cref="IGrainStorage"/> (<c>flo</c>, resolved from the silo's services; ETag-conditional), side by
/// side with the same upsert issued directly against the database one statement per commit — what a store without
/// write batching does.
/// </summary>
public static class StorageBench
{
    public static readonly byte[] Payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    public static async Task RunAsync(TimeSpan duration, string? postgres, int[] concurrencies, int rounds)
    {
        var providers = new List<FloStorageProvider> { FloStorageProvider.Memory, FloStorageProvider.Sqlite };
        await using var database = postgres is null ? null : await BenchDatabase.CreateAsync(postgres);
        if (database is not null)
        {
            providers.Add(FloStorageProvider.Postgres);
        }
        foreach (var provider in providers)
        {
            await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Storage = provider, ConnectionString = provider == FloStorageProvider.Postgres ? database!.ConnectionString : null });
            var storage = PlatformTestCluster.Services(cluster.Silos[0]).GetRequiredKeyedService<IGrainStorage>(FloStorage.Name);
            var dir = Path.Combine(Path.GetTempPath(), "flo-bench-peer-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            foreach (var c in concurrencies)
            {
                var run = Guid.NewGuid().ToString("N")[..8];
                var states = Enumerable.Range(0, c).Select(_ => new GrainState<byte[]>(Payload)).ToArray();
                var ids = Enumerable.Range(0, c).Select(w => GrainId.Create("bench", $"{run}-{w}")).ToArray();
                Peer? peer = provider switch
                {
                    FloStorageProvider.Sqlite => new Peer("sqlite upsert", () => SqlitePeerAsync(dir, c, duration)),
                    FloStorageProvider.Postgres => new Peer("postgres upsert", () => PostgresPeerAsync(database!.ConnectionString, c, duration)),
                    _ => null,
                };
                await Rounds.CompareAsync($"grain state write ({provider})", c, peer is null ? 1 : rounds,
                    () => WithBatchStatisticsAsync(storage, () => LoadRunner.RunAsync($"grain state write ({provider})", c, duration, (w, _) => storage.WriteStateAsync("state", ids[w], states[w]))),
                    peer);
            }
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Runs <paramref name="run"/> and prints how the platform's provider grouped the writes into transactions.</summary>
    public static async Task<LoadResult> WithBatchStatisticsAsync(IGrainStorage storage, Func<Task<LoadResult>> run)
    {
        var before = (storage as FloGrainStorage)?.Statistics;
        var result = await run();
        if (storage is FloGrainStorage flo && before is { } b && flo.Statistics.Batches > b.Batches)
        {
            var s = flo.Statistics;
            Console.WriteLine($"    (group commit: {s.Writes - b.Writes:N0} writes in {s.Batches - b.Batches:N0} transactions, {(double)(s.Writes - b.Writes) / (s.Batches - b.Batches):0.0} per transaction, largest so far {s.LargestBatch})");
        }
        return result;
    }

    public static async Task<LoadResult> PostgresPeerAsync(string connectionString, int concurrency, TimeSpan duration)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using (var create = source.CreateCommand("CREATE TABLE IF NOT EXISTS bench_peer (k text PRIMARY KEY, v bytea, version bigint NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        var run = Guid.NewGuid().ToString("N")[..8];
        return await LoadRunner.RunAsync("peer: postgres upsert, 1 commit per write", concurrency, duration, async (w, _) =>
        {
            await using var cmd = source.CreateCommand("INSERT INTO bench_peer (k, v, version) VALUES ($1, $2, 1) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, version = bench_peer.version + 1 RETURNING version");
            cmd.Parameters.AddWithValue($"{run}-{w}");
            cmd.Parameters.AddWithValue(Payload);
            await cmd.ExecuteScalarAsync();
        });
    }

    private static async Task<LoadResult> SqlitePeerAsync(string dir, int concurrency, TimeSpan duration)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "peer.db"), Pooling = true, DefaultTimeout = 30 }.ToString();
        await using (var setup = new SqliteConnection(cs))
        {
            await setup.OpenAsync();
            await using var cmd = setup.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS bench_peer (k TEXT PRIMARY KEY, v BLOB, version INTEGER NOT NULL);";
            await cmd.ExecuteNonQueryAsync();
        }
        var connections = new SqliteConnection[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            connections[i] = new SqliteConnection(cs);
            await connections[i].OpenAsync();
            await using var pragma = connections[i].CreateCommand();
            pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
            await pragma.ExecuteNonQueryAsync();
        }
        var run = Guid.NewGuid().ToString("N")[..8];
        try
        {
            return await LoadRunner.RunAsync("peer: sqlite upsert, 1 commit per write", concurrency, duration, async (w, _) =>
            {
                await using var cmd = connections[w].CreateCommand();
                cmd.CommandText = "INSERT INTO bench_peer (k, v, version) VALUES ($k, $v, 1) ON CONFLICT (k) DO UPDATE SET v = excluded.v, version = version + 1 RETURNING version";
                cmd.Parameters.AddWithValue("$k", $"{run}-{w}");
                cmd.Parameters.AddWithValue("$v", Payload);
                await cmd.ExecuteScalarAsync();
            });
        }
        finally
        {
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
        }
    }
}
