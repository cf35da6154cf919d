using System.Collections.Concurrent;
using System.Text;
using Flo.Grains.Queues;
using Flo.Storage;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Flo.Queues.Tests;

/// <summary>A silo killed under a producer/consumer load loses no acknowledged enqueue and acks nothing twice.</summary>
[Trait("Category", "Fault")]
public sealed class QueueFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    /// <summary>How long a fault test may see no progress before it fails (with diagnostics), whatever it has done so far.</summary>
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(FloStorageProvider.Sqlite)]
    [InlineData(FloStorageProvider.Postgres)]
    public async Task APartitionReloadsMessagesLeasesDeadLettersAndDedupKeysAfterARestart(FloStorageProvider storage)
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Storage = storage,
            ConnectionString = storage == FloStorageProvider.Postgres ? await postgres.CreateDatabaseAsync() : null,
        });
        var q = $"restart-{Guid.NewGuid():N}";
        long leased, delayed, dead, ready, dedup;
        await using (var client = await cluster.ConnectAsync())
        {
            leased = await client.Queue.EnqueueAsync(q, [1], new EnqueueOptions(Priority: 5));
            dead = await client.Queue.EnqueueAsync(q, [2], new EnqueueOptions(Priority: 5));
            ready = await client.Queue.EnqueueAsync(q, [3]);
            delayed = await client.Queue.EnqueueAsync(q, [4], new EnqueueOptions(DelayMs: 600_000));
            dedup = await client.Queue.EnqueueAsync(q, [5], new EnqueueOptions(Priority: 9, DedupKey: "d"));
            var acked = await client.Queue.EnqueueAsync(q, [8], new EnqueueOptions(Priority: 20));
            Assert.Equal(acked, Assert.Single(await client.Queue.DequeueAsync(q, 1)).Seq);
            await client.Queue.AckAsync(q, [acked]);
            Assert.Equal(3, (await client.Queue.DequeueAsync(q, 3, new DequeueOptions(VisibilityTimeoutMs: 600_000))).Count);
            await client.Queue.AckAsync(q, [dedup]);
            await client.Queue.NackAsync(q, [dead], new NackOptions(ToDlq: true, Error: "e"));
        }
        var silo = await cluster.RestartSiloAsync(cluster.Silos[0]);
        await using (var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(silo)))
        {
            var stats = await client.Queue.StatsAsync(q);
            Assert.Equal((2L, 1L, 1L, 1L, 1L), (stats.Depth, stats.Visible, stats.Delayed, stats.InFlight, stats.DlqSize));
            Assert.Equal(ready, Assert.Single(await client.Queue.DequeueAsync(q, 5)).Seq);
            Assert.Equal(dead, Assert.Single(await client.Queue.DlqListAsync(q)).Seq);
            Assert.Equal(dedup, await client.Queue.EnqueueAsync(q, [6], new EnqueueOptions(DedupKey: "d")));
            await client.Queue.AckAsync(q, [leased, ready]);
            Assert.True(await client.Queue.EnqueueAsync(q, [7]) > delayed);
        }
    }

    [Fact]
    public async Task AMessageLeasedOnASiloThatDiedIsVisibleAgainWhenItsLeaseEnds()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 3,
            Storage = FloStorageProvider.Postgres,
            ConnectionString = await postgres.CreateDatabaseAsync(),
        });
        await using var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(cluster.Silos[0]));
        // A queue whose partition lives on a silo other than the client's gateway: that silo will be killed.
        var (q, doomed) = await cluster.PlaceAwayFromAsync(cluster.Silos[0], async (name, grains) =>
        {
            var partition = grains.GetGrain<IQueuePartitionGrain>(QueueLimits.PartitionKey("default", name, 0));
            await partition.Stats();
            return partition;
        });
        var seq = await client.Queue.EnqueueAsync(q, [42]);
        var leased = Assert.Single(await client.Queue.DequeueAsync(q, 1, new DequeueOptions(VisibilityTimeoutMs: 8_000)));

        await cluster.KillSiloAsync(doomed);
        // The lease survived the silo: invisible until it ends, then delivered again with its count.
        var stats = await client.Queue.StatsAsync(q);
        if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < leased.LeaseExpiresAtMs - 500)
        {
            Assert.Equal((0L, 1L), (stats.Visible, stats.InFlight));
        }
        var again = Assert.Single(await client.Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 30_000)));
        Assert.Equal((seq, 2), (again.Seq, again.Deliveries));
        Assert.True(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() >= leased.LeaseExpiresAtMs - 50, "redelivered before the lease ended");
        await client.Queue.AckAsync(q, [seq]);
    }

    [Fact]
    public async Task EveryAcknowledgedEnqueueIsAckedExactlyOnceAcrossASiloKill()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 3,
            Storage = FloStorageProvider.Postgres,
            ConnectionString = connectionString,
        });
        await using var client = await cluster.ConnectAsync();
        const string q = "fault";
        const int partitions = 4;
        await client.Queue.ConfigureAsync(q, QueueSettings.Default with { Partitions = partitions, MaxDeliveries = 100 });

        // Modest on purpose (two cores run this): enough messages in flight at the kill to cross every failure path.
        const int producers = 4, consumers = 4, perProducer = 500, killAfter = 800;
        var enqueued = new ConcurrentDictionary<long, byte>();
        var acks = new ConcurrentDictionary<long, int>();
        var uncertainAcks = new ConcurrentDictionary<long, byte>();
        var deliveries = new ConcurrentDictionary<long, int>();
        var redeliveredWithCount = 0;
        long emptyDequeues = 0;
        var producerErrors = 0;
        var consumerErrors = 0;
        var producersDone = false;
        var errorKinds = new ConcurrentDictionary<string, int>();
        void Note(Exception e) => errorKinds.AddOrUpdate($"{e.GetType().Name}: {e.Message[..Math.Min(160, e.Message.Length)]}", 1, (_, n) => n + 1);
        // A failed call's outcome is unknown. ObjectDisposedException: a call that reached the in-process silo while the
        // test host tore it down (its storage already disposed); a real kill -9 shows as a lost connection instead.
        static bool Transient(Exception e) => e is FloException or OrleansException or TimeoutException or ObjectDisposedException && e is not InvalidArgumentException;

        // Progress: every acknowledged enqueue, delivery and ack. Nothing moving for StallLimit fails the test.
        await using var progress = new ProgressWatchdog("enqueues, deliveries and acks", StallLimit,
            async () => $"enqueued {enqueued.Count}, acked {acks.Count}, producer errors {producerErrors}, consumer errors {consumerErrors}, empty dequeues {Interlocked.Read(ref emptyDequeues)}; "
                + await PartitionsAsync(client, q, partitions) + "; errors: " + string.Join("; ", errorKinds.Select(k => $"{k.Value} x {k.Key}")),
            output.WriteLine);
        using var finish = CancellationTokenSource.CreateLinkedTokenSource(progress.Stalled);

        var producing = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer && !finish.IsCancellationRequested; i++)
            {
                try
                {
                    var seq = await client.Queue.EnqueueAsync(q, BitConverter.GetBytes(p * perProducer + i));
                    Assert.True(enqueued.TryAdd(seq, 0), $"sequence {seq} was issued twice");
                    progress.Advance();
                }
                catch (Exception e) when (Transient(e))
                {
                    // Not acknowledged: it may or may not exist; the consumers drain whatever does.
                    Interlocked.Increment(ref producerErrors);
                    Note(e);
                }
            }
        })).ToList();

        var consuming = Enumerable.Range(0, consumers).Select(_ => Task.Run(async () =>
        {
            while (!finish.IsCancellationRequested)
            {
                IReadOnlyList<QueueMessage> batch;
                try
                {
                    batch = await client.Queue.DequeueAsync(q, 50, new DequeueOptions(BlockMs: 500, VisibilityTimeoutMs: 5_000));
                }
                catch (Exception e) when (Transient(e))
                {
                    Interlocked.Increment(ref consumerErrors);
                    Note(e);
                    continue;
                }
                if (batch.Count == 0)
                {
                    Interlocked.Increment(ref emptyDequeues);
                    if (Volatile.Read(ref producersDone))
                    {
                        try
                        {
                            var stats = await client.Queue.StatsAsync(q);
                            if (stats.Depth == 0 && stats.InFlight == 0)
                            {
                                return;
                            }
                        }
                        catch (Exception e) when (Transient(e))
                        {
                            Note(e);
                        }
                    }
                    continue;
                }
                progress.Advance(batch.Count);
                foreach (var m in batch)
                {
                    if (deliveries.AddOrUpdate(m.Seq, 1, (_, n) => n + 1) > 1 && m.Deliveries > 1)
                    {
                        Interlocked.Increment(ref redeliveredWithCount);
                    }
                }
                try
                {
                    await client.Queue.AckAsync(q, [.. batch.Select(m => m.Seq)]);
                    foreach (var m in batch)
                    {
                        acks.AddOrUpdate(m.Seq, 1, (_, n) => n + 1);
                    }
                    progress.Advance(batch.Count);
                }
                catch (Exception e) when (Transient(e) || e is MessageNotFoundException)
                {
                    // Unknown outcome or a lease that ended meanwhile: an ack that did not happen brings its messages
                    // back when their lease ends; one that did leaves them processed and gone.
                    foreach (var m in batch)
                    {
                        uncertainAcks.TryAdd(m.Seq, 0);
                    }
                    Interlocked.Increment(ref consumerErrors);
                    Note(e);
                }
            }
        })).ToList();

        await progress.UntilAsync(() => enqueued.Count >= killAfter, $"{killAfter} acknowledged enqueues before the kill");
        // Kill a silo that hosts a partition (the client knows every gateway, so any but the first may go).
        var hosts = new List<SiloHandle?>();
        for (var p = 0; p < partitions; p++)
        {
            hosts.Add(await cluster.HostOfAsync(Partition(client, q, p)));
        }
        var victim = cluster.Silos.Skip(1).FirstOrDefault(s => hosts.Contains(s)) ?? cluster.Silos[1];
        output.WriteLine($"killing {victim.Name} (hosts partitions {string.Join(", ", Enumerable.Range(0, partitions).Where(p => hosts[p] == victim))}) at {enqueued.Count} enqueued, {acks.Count} acked");
        await progress.WaitAsync(cluster.KillSiloAsync(victim), "the others to declare the killed silo dead");
        await progress.WaitAsync(Task.WhenAll(producing), "the producers to finish");
        Volatile.Write(ref producersDone, true);
        await progress.WaitAsync(Task.WhenAll(consuming), "the consumers to drain the queue");
        await progress.AssertNotStalledAsync();

        foreach (var (kind, count) in errorKinds.OrderByDescending(k => k.Value).Take(10))
        {
            output.WriteLine($"{count} x {kind}");
        }
        var duplicates = deliveries.Count(d => d.Value > 1);
        output.WriteLine($"enqueued (acknowledged) {enqueued.Count}, acked {acks.Count}, producer errors {producerErrors}, consumer errors {consumerErrors}, redelivered {duplicates} (with a delivery count above 1: {redeliveredWithCount}), empty dequeues {emptyDequeues}");
        output.WriteLine(await PartitionsAsync(client, q, partitions));
        var lost = enqueued.Keys.Where(s => !acks.ContainsKey(s) && !uncertainAcks.ContainsKey(s)).ToList();
        if (lost.Count > 0)
        {
            await DumpStoredMessagesAsync(cluster, client, connectionString, q, partitions);
        }
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged enqueues were never acked, e.g. {string.Join(", ", lost.Take(5))}");
        var ackedTwice = acks.Where(a => a.Value > 1).Select(a => a.Key).ToList();
        Assert.True(ackedTwice.Count == 0, $"{ackedTwice.Count} messages were acked twice, e.g. {string.Join(", ", ackedTwice.Take(5))}");
        // Duplicates only by redelivery: every message seen twice came back with its delivery count raised.
        Assert.Equal(duplicates, redeliveredWithCount);
        var final = await client.Queue.StatsAsync(q);
        Assert.Equal((0L, 0L, 0L), (final.Depth, final.InFlight, final.DlqSize));
        Assert.True(enqueued.Count >= producers * perProducer - producerErrors);
    }

    private static IQueuePartitionGrain Partition(FloClient client, string q, int partition)
        => client.Grains.GetGrain<IQueuePartitionGrain>(QueueLimits.PartitionKey("default", q, partition));

    /// <summary>Each partition's counters (diagnostics).</summary>
    private static async Task<string> PartitionsAsync(FloClient client, string q, int partitions)
    {
        var lines = new List<string>();
        for (var p = 0; p < partitions; p++)
        {
            try
            {
                var s = await Partition(client, q, p).Stats().WaitAsync(TimeSpan.FromSeconds(5));
                lines.Add($"partition {p}: depth {s.Depth} (visible {s.Visible}, delayed {s.Delayed}), in flight {s.InFlight}, DLQ {s.DlqSize}, waiting {s.Waiting}");
            }
            catch (Exception e)
            {
                lines.Add($"partition {p}: {e.GetType().Name}: {e.Message}");
            }
        }
        return string.Join("; ", lines);
    }

    /// <summary>What PostgreSQL holds for the queue's live messages (on a failure, to tell a lost lease from a lost record).</summary>
    private async Task DumpStoredMessagesAsync(PlatformTestCluster cluster, FloClient client, string connectionString, string q, int partitions)
    {
        var serializer = PlatformTestCluster.Services(cluster.ActiveSilos[0]).GetRequiredService<Orleans.Serialization.Serializer>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var p = 0; p < partitions; p++)
        {
            var grainId = Partition(client, q, p).GetGrainId().ToString();
            await using (var state = new NpgsqlCommand("SELECT version FROM flo_grain_state WHERE grain_id = @g AND state_name = 'queue'", connection))
            {
                state.Parameters.AddWithValue("g", grainId);
                output.WriteLine($"partition {p} ({grainId}): stored state version {await state.ExecuteScalarAsync()}");
            }
            await using var records = new NpgsqlCommand("SELECT record_id, payload FROM flo_grain_records WHERE grain_id = @g AND state_name = 'queue' ORDER BY record_id", connection);
            records.Parameters.AddWithValue("g", grainId);
            await using var reader = await records.ExecuteReaderAsync();
            var shown = 0;
            while (await reader.ReadAsync() && shown < 200)
            {
                var m = serializer.Deserialize<QueueMessageRecord>((byte[])reader[1])!;
                if (m.Status != QueueMessageStatus.Done)
                {
                    shown++;
                    output.WriteLine($"  stored {QueueLimits.ToSeq(m.Local, p)}: {m.Status}, deliveries {m.Deliveries}, visible at {m.VisibleAtMs - now:+0;-0} ms, lease ends {(m.LeaseExpiresAtMs == 0 ? "-" : (m.LeaseExpiresAtMs - now).ToString("+0;-0"))} ms");
                }
            }
        }
    }
}
