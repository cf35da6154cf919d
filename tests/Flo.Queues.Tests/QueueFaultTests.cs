using System.Collections.Concurrent;
using Flo.Endpoints;
using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestingHost;
using Xunit.Abstractions;

namespace Flo.Queues.Tests;

/// <summary>A silo killed under a producer/consumer load loses no acknowledged enqueue and acks nothing twice.</summary>
[Trait("Category", "Fault")]
public sealed class QueueFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData(StorageProviderKind.Sqlite)]
    [InlineData(StorageProviderKind.Postgres)]
    public async Task APartitionReloadsMessagesLeasesDeadLettersAndDedupKeysAfterARestart(StorageProviderKind storage)
    {
        var options = new TestClusterOptions { Storage = storage, ConnectionString = storage == StorageProviderKind.Postgres ? postgres.ConnectionString : null };
        options.SiloBuilders.Add(silo => silo.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        var q = $"restart-{Guid.NewGuid():N}";
        long leased, delayed, dead, ready, dedup;
        await using (var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint))
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
        await using (var client = await FloClient.ConnectAsync(silo.GatewayEndpoint))
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
        var options = new TestClusterOptions { InitialSilosCount = 3, Storage = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };
        options.SiloBuilders.Add(silo => silo.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await cluster.WaitForMembershipToSettleAsync();
        await using var client = await FloClient.ConnectAsync(cluster.Silos[0].GatewayEndpoint);
        // A queue whose partition lives on a silo other than the client's gateway.
        var view = cluster.Silos[0].Membership.CurrentView;
        var q = Enumerable.Range(0, 1000).Select(i => $"lease-{i}-{Guid.NewGuid():N}")
            .First(name => view.OwnerOf(new GrainId("queue", QueueLimits.PartitionKey("default", name, 0)))!.Equals(cluster.Silos[2].Address));
        var seq = await client.Queue.EnqueueAsync(q, [42]);
        var leased = Assert.Single(await client.Queue.DequeueAsync(q, 1, new DequeueOptions(VisibilityTimeoutMs: 8_000)));

        await cluster.KillSiloAsync(cluster.Silos[2]);
        await cluster.WaitForMembershipToSettleAsync();
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
        var options = new TestClusterOptions { InitialSilosCount = 3, Storage = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };
        options.SiloBuilders.Add(silo => silo.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await cluster.WaitForMembershipToSettleAsync();
        await using var client = await FloClient.ConnectAsync(string.Join(",", cluster.Silos.Select(s => s.GatewayEndpoint)));
        const string q = "fault";
        await client.Queue.ConfigureAsync(q, QueueSettings.Default with { Partitions = 4, MaxDeliveries = 100 });

        const int producers = 10, consumers = 10, perProducer = 10_000, killAfter = 30_000;
        var enqueued = new ConcurrentDictionary<long, byte>();
        var acks = new ConcurrentDictionary<long, int>();
        var uncertainAcks = new ConcurrentDictionary<long, byte>();
        var deliveries = new ConcurrentDictionary<long, int>();
        var redeliveredWithCount = 0;
        long emptyDequeues = 0;
        var producerErrors = 0;
        var consumerErrors = 0;
        var producersDone = false;
        var killed = new TaskCompletionSource();
        var errorKinds = new ConcurrentDictionary<string, int>();
        void Note(Exception e) => errorKinds.AddOrUpdate($"{e.GetType().Name}: {e.Message[..Math.Min(160, e.Message.Length)]}", 1, (_, n) => n + 1);

        var producing = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                try
                {
                    var seq = await client.Queue.EnqueueAsync(q, BitConverter.GetBytes(p * perProducer + i));
                    Assert.True(enqueued.TryAdd(seq, 0), $"sequence {seq} was issued twice");
                    if (enqueued.Count == killAfter)
                    {
                        killed.TrySetResult();
                    }
                }
                catch (Exception e) when (e is SiloUnavailableException or GrainCallTimeoutException or InvalidOperationException or InconsistentStateException)
                {
                    // Not acknowledged: it may or may not exist; the consumers drain whatever does.
                    Interlocked.Increment(ref producerErrors);
                    Note(e);
                }
            }
        })).ToList();

        using var finish = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var consuming = Enumerable.Range(0, consumers).Select(_ => Task.Run(async () =>
        {
            while (!finish.IsCancellationRequested)
            {
                IReadOnlyList<QueueMessage> batch;
                try
                {
                    batch = await client.Queue.DequeueAsync(q, 50, new DequeueOptions(BlockMs: 500, VisibilityTimeoutMs: 5_000));
                }
                catch (Exception e) when (e is SiloUnavailableException or GrainCallTimeoutException or InvalidOperationException or InconsistentStateException)
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
                        var stats = await client.Queue.StatsAsync(q);
                        if (stats.Depth == 0 && stats.InFlight == 0)
                        {
                            return;
                        }
                    }
                    continue;
                }
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
                }
                catch (Exception e) when (e is SiloUnavailableException or GrainCallTimeoutException or InvalidOperationException or InconsistentStateException or MessageNotFoundException)
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

        var stalled = false;
        var watchdog = Task.Run(async () =>
        {
            // Ends the run early (with diagnostics) when acks stop making progress while work remains.
            var last = -1;
            var since = DateTime.UtcNow;
            while (!finish.IsCancellationRequested)
            {
                await Task.Delay(1000);
                if (acks.Count != last)
                {
                    last = acks.Count;
                    since = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - since > TimeSpan.FromSeconds(30) && !consuming.All(c => c.IsCompleted))
                {
                    stalled = true;
                    for (var p = 0; p < 4; p++)
                    {
                        var partition = await client.Grains.GetGrain<IQueuePartitionGrain>(QueueLimits.PartitionKey("default", q, p)).Stats();
                        output.WriteLine($"STALLED partition {p}: depth {partition.Depth} (visible {partition.Visible}), in flight {partition.InFlight}, waiting {partition.Waiting}");
                    }
                    output.WriteLine($"STALLED empty dequeues {Interlocked.Read(ref emptyDequeues)}; a fresh dequeue gets {(await client.Queue.DequeueAsync(q, 5)).Count}");
                    await finish.CancelAsync();
                }
            }
        });
        await killed.Task.WaitAsync(TimeSpan.FromMinutes(3));
        // Kill a silo that hosts a partition (the client knows every gateway, so any may go).
        var view = cluster.Silos[0].Membership.CurrentView;
        var owners = Enumerable.Range(0, 4).Select(p => view.OwnerOf(new GrainId("queue", QueueLimits.PartitionKey("default", q, p)))).ToList();
        var victim = cluster.Silos.Skip(1).FirstOrDefault(s => owners.Contains(s.Address)) ?? cluster.Silos[0];
        await cluster.KillSiloAsync(victim);
        await Task.WhenAll(producing);
        Volatile.Write(ref producersDone, true);
        await Task.WhenAll(consuming);
        var drained = !finish.IsCancellationRequested;
        await finish.CancelAsync();
        await watchdog;
        Assert.False(stalled, "the consumers stalled (see STALLED lines)");

        var duplicates = deliveries.Count(d => d.Value > 1);
        foreach (var (kind, count) in errorKinds.OrderByDescending(k => k.Value).Take(10))
        {
            output.WriteLine($"{count} x {kind}");
        }
        output.WriteLine($"enqueued (acknowledged) {enqueued.Count}, acked {acks.Count}, producer errors {producerErrors}, consumer errors {consumerErrors}, redelivered {duplicates} (with a delivery count above 1: {redeliveredWithCount}), empty dequeues {emptyDequeues}");
        for (var p = 0; p < 4; p++)
        {
            var grain = client.Grains.GetGrain<IQueuePartitionGrain>(QueueLimits.PartitionKey("default", q, p));
            var partition = await grain.Stats();
            output.WriteLine($"partition {p}: depth {partition.Depth} (visible {partition.Visible}, delayed {partition.Delayed}), in flight {partition.InFlight}, DLQ {partition.DlqSize}, waiting {partition.Waiting}");
            if (!drained)
            {
                output.WriteLine($"  a direct dequeue gets {(await grain.Dequeue(1, 60_000, 0)).Length}; layout says {(await grain.GetSettings()).Partitions} partitions");
            }
        }
        if (!drained)
        {
            await DumpStoredMessagesAsync(q);
        }
        Assert.True(drained, "the consumers did not drain the queue in time");
        var lost = enqueued.Keys.Where(s => !acks.ContainsKey(s) && !uncertainAcks.ContainsKey(s)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged enqueues were never acked, e.g. {string.Join(", ", lost.Take(5))}");
        var ackedTwice = acks.Where(a => a.Value > 1).Select(a => a.Key).ToList();
        Assert.True(ackedTwice.Count == 0, $"{ackedTwice.Count} messages were acked twice, e.g. {string.Join(", ", ackedTwice.Take(5))}");
        // Duplicates only by redelivery: every message seen twice came back with its delivery count raised.
        Assert.Equal(duplicates, redeliveredWithCount);
        var final = await client.Queue.StatsAsync(q);
        Assert.Equal((0L, 0L, 0L), (final.Depth, final.InFlight, final.DlqSize));
        Assert.True(enqueued.Count >= producers * perProducer - producerErrors);
    }

    /// <summary>What storage holds for the queue's live messages (on a failure, to tell a lost lease from a lost index entry).</summary>
    private async Task DumpStoredMessagesAsync(string q)
    {
        await using var backend = StorageBackendFactory.Create(new StorageOptions { Provider = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await backend.InitializeAsync(default);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var p = 0; p < 4; p++)
        {
            var id = new GrainId("queue", QueueLimits.PartitionKey("default", q, p));
            var header = await backend.GrainStorage.ReadAsync(id, "queue", default);
            output.WriteLine($"partition {p}: stored state etag {header.Etag}");
            var records = await backend.GrainStorage.ReadRecordsAsync(id, "queue", long.MinValue, 100_000, default);
            output.WriteLine($"  {records.Count} records; the first live ones:");
            foreach (var r in records.Take(200))
            {
                var m = Flo.Serialization.Serializer.Deserialize<Flo.Grains.Queues.QueueMessageRecord>(r.Data);
                if (m.Status != Flo.Grains.Queues.QueueMessageStatus.Done)
                {
                    output.WriteLine($"  stored {QueueLimits.ToSeq(m.Local, p)}: {m.Status}, deliveries {m.Deliveries}, visible at {m.VisibleAtMs - now:+0;-0} ms, lease ends {(m.LeaseExpiresAtMs == 0 ? "-" : (m.LeaseExpiresAtMs - now).ToString("+0;-0"))} ms");
                }
            }
        }
    }
}
