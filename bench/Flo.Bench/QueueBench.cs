using Flo.Testing;
using Flo.Queues;
using Flo.Storage;
using Npgsql;

namespace Flo.Bench;

/// <summary>
/// Queue round trips: each caller enqueues a message, dequeues one (leasing it) and acks it, on one shared queue, through
/// <see cref="FloClient"/> against one silo per provider (memory, SQLite, PostgreSQL). The peer is the classic
/// PostgreSQL lease queue on the same server, doing the same cycle from the same process with one connection per caller:
/// <c>INSERT</c>, <c>UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING</c> to lease the
/// highest-priority visible row, <c>DELETE</c> to ack, each its own autocommit transaction (durable, like ours).
/// 100-byte payloads.
/// </summary>
public static class QueueBench
{
    private static readonly byte[] Payload = new byte[100];

    public static async Task RunAsync(TimeSpan duration, string? postgres, int[] concurrencies, int rounds)
    {
        await using var database = postgres is null ? null : await BenchDatabase.CreateAsync(postgres);
        Peer? SkipLocked(int c) => database is null ? null : new Peer("postgres SKIP LOCKED", () => SkipLockedAsync(database.ConnectionString, c, duration));
        await RunProviderAsync("memory", new PlatformClusterOptions(), duration, concurrencies, rounds, SkipLocked);
        await RunProviderAsync("sqlite", new PlatformClusterOptions { Storage = FloStorageProvider.Sqlite }, duration, concurrencies, rounds, SkipLocked);
        if (database is not null)
        {
            await RunProviderAsync("postgres", new PlatformClusterOptions { Storage = FloStorageProvider.Postgres, ConnectionString = database.ConnectionString }, duration, concurrencies, rounds, SkipLocked);
        }
    }

    private static async Task RunProviderAsync(string name, PlatformClusterOptions options, TimeSpan duration, int[] concurrencies, int rounds, Func<int, Peer?> peer)
    {
        await using var cluster = await BenchCluster.DeployAsync(options);
        await using var client = await cluster.ConnectAsync();
        foreach (var c in concurrencies)
        {
            foreach (var partitions in c > 1 ? new[] { 1, 4 } : [1])
            {
                // The 4-partition runs are shown without the peer (it was measured beside the 1-partition run).
                await Rounds.CompareAsync($"enqueue+dequeue+ack ({name}, {partitions}p)", c, partitions == 1 ? rounds : 1, async () =>
                {
                    var q = $"bench-{name}-{c}-{partitions}-{Guid.NewGuid():N}";
                    await client.Queue.ConfigureAsync(q, QueueSettings.Default with { Partitions = partitions });
                    return await LoadRunner.RunAsync($"flo enqueue+dequeue+ack ({name}, {partitions}p)", c, duration, async (w, i) =>
                    {
                        await client.Queue.EnqueueAsync(q, Payload);
                        var got = await client.Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 1_000));
                        if (got.Count > 0)
                        {
                            await client.Queue.AckAsync(q, [got[0].Seq]);
                        }
                    });
                }, partitions == 1 ? peer(c) : null);
            }
        }
    }

    private static async Task<LoadResult> SkipLockedAsync(string connectionString, int concurrency, TimeSpan duration)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using (var setup = source.CreateCommand("""
            DROP TABLE IF EXISTS bench_queue;
            CREATE TABLE bench_queue (
                id bigserial PRIMARY KEY,
                priority int NOT NULL DEFAULT 0,
                payload bytea NOT NULL,
                deliveries int NOT NULL DEFAULT 0,
                visible_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX bench_queue_order ON bench_queue (priority DESC, id);
            """))
        {
            await setup.ExecuteNonQueryAsync();
        }
        var connections = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => source.OpenConnectionAsync().AsTask()));
        try
        {
            return await LoadRunner.RunAsync("peer: postgres SKIP LOCKED queue", concurrency, duration, async (w, i) =>
            {
                var connection = connections[w];
                await using (var enqueue = new NpgsqlCommand("INSERT INTO bench_queue (payload) VALUES ($1)", connection))
                {
                    enqueue.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Payload });
                    await enqueue.ExecuteNonQueryAsync();
                }
                long? id = null;
                await using (var dequeue = new NpgsqlCommand("""
                    UPDATE bench_queue SET visible_at = now() + interval '30 seconds', deliveries = deliveries + 1
                    WHERE id = (SELECT id FROM bench_queue WHERE visible_at <= now() ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING id, payload
                    """, connection))
                {
                    await using var reader = await dequeue.ExecuteReaderAsync();
                    if (await reader.ReadAsync())
                    {
                        id = reader.GetInt64(0);
                    }
                }
                if (id is { } leased)
                {
                    await using var ack = new NpgsqlCommand("DELETE FROM bench_queue WHERE id = $1", connection);
                    ack.Parameters.Add(new NpgsqlParameter<long> { TypedValue = leased });
                    await ack.ExecuteNonQueryAsync();
                }
            });
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
