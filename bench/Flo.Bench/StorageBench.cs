using Flo.Runtime.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Flo.Bench;

/// <summary>
/// Grain state writes per second per provider (conditional upserts of a 256-byte state, each writer on its own
/// grain), side by side with the same upsert issued directly against the database one statement per commit —
/// what a store without write batching does.
/// </summary>
public static class StorageBench
{
    private static readonly byte[] Payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    public static async Task<List<LoadResult>> RunAsync(TimeSpan duration, string? postgres, int[] concurrencies)
    {
        var results = new List<LoadResult>();
        var dir = Path.Combine(Path.GetTempPath(), "flo-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var providers = new List<StorageOptions>
            {
                new() { Provider = StorageProviderKind.Memory },
                new() { Provider = StorageProviderKind.Sqlite, DataDirectory = dir },
            };
            if (postgres is not null)
            {
                providers.Add(new StorageOptions { Provider = StorageProviderKind.Postgres, ConnectionString = postgres });
            }
            foreach (var options in providers)
            {
                await using var backend = StorageBackendFactory.Create(options, NullLoggerFactory.Instance);
                await backend.InitializeAsync(CancellationToken.None);
                foreach (var c in concurrencies)
                {
                    var run = Guid.NewGuid().ToString("N")[..8];
                    var etags = new string?[c];
                    var r = await LoadRunner.RunAsync($"grain state write ({options.Provider})", c, duration, async (w, _) =>
                        etags[w] = await backend.GrainStorage.WriteAsync(new GrainId("bench", $"{run}-{w}"), "state", Payload, etags[w], CancellationToken.None));
                    results.Add(r);
                    Console.WriteLine(r);
                    var peer = options.Provider switch
                    {
                        StorageProviderKind.Sqlite => await SqlitePeerAsync(dir, c, duration),
                        StorageProviderKind.Postgres => await PostgresPeerAsync(postgres!, c, duration),
                        _ => null,
                    };
                    if (peer is not null)
                    {
                        results.Add(peer);
                        Console.WriteLine(peer);
                        Console.WriteLine($"{"  ratio flo/peer",-44} c={c,-4} {r.PerSecond / peer.PerSecond,12:0.00}x");
                    }
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
        }
        return results;
    }

    private static async Task<LoadResult> PostgresPeerAsync(string connectionString, int concurrency, TimeSpan duration)
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
