using System.Text;
using Flo.Kv;
using Flo.Queues;
using Flo.Tests.Shared;

namespace Flo.Queues.Tests;

/// <summary>Every line of the queue contract (spec/queues.md), run against each deployment.</summary>
public abstract class QueueContractTests<TFixture>(TFixture fixture) where TFixture : PlatformClusterFixture
{
    private QueueClient Queue => fixture.Client.Queue;

    private static string NewQueue() => $"q-{Guid.NewGuid():N}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(QueueMessage m) => Encoding.UTF8.GetString(m.Payload);

    private static long[] Seqs(IEnumerable<QueueMessage> messages) => [.. messages.Select(m => m.Seq)];

    [Fact]
    public async Task HigherPriorityIsServedFirstAndFifoWithinAPriority()
    {
        var q = NewQueue();
        await Queue.EnqueueAsync(q, Bytes("a0"));
        await Queue.EnqueueAsync(q, Bytes("b10"), new EnqueueOptions(Priority: 10));
        await Queue.EnqueueAsync(q, Bytes("c0"));
        await Queue.EnqueueAsync(q, Bytes("d10"), new EnqueueOptions(Priority: 10));
        await Queue.EnqueueAsync(q, Bytes("e-1"), new EnqueueOptions(Priority: -1));
        var got = await Queue.DequeueAsync(q, 10);
        Assert.Equal(["b10", "d10", "a0", "c0", "e-1"], got.Select(Text));
        Assert.All(got, m => Assert.Equal(1, m.Deliveries));
        Assert.All(got, m => Assert.True(m.LeaseExpiresAtMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task AckRemovesAndADequeuedMessageIsLeasedNotRemoved()
    {
        var q = NewQueue();
        var seq = await Queue.EnqueueAsync(q, Bytes("x"));
        var first = Assert.Single(await Queue.DequeueAsync(q, 1));
        Assert.Equal(seq, first.Seq);
        Assert.Empty(await Queue.DequeueAsync(q, 1));
        var stats = await Queue.StatsAsync(q);
        Assert.Equal((0, 1), (stats.Depth, stats.InFlight));
        await Queue.AckAsync(q, [seq]);
        stats = await Queue.StatsAsync(q);
        Assert.Equal((0, 0, 0), (stats.Depth, stats.InFlight, stats.DlqSize));
        await Assert.ThrowsAsync<MessageNotFoundException>(() => Queue.AckAsync(q, [seq]));
    }

    [Fact]
    public async Task ADelayedMessageIsInvisibleUntilItsTime()
    {
        var q = NewQueue();
        var seq = await Queue.EnqueueAsync(q, Bytes("later"), new EnqueueOptions(DelayMs: 700));
        Assert.Empty(await Queue.DequeueAsync(q, 1));
        Assert.Empty(await Queue.PeekAsync(q, 1));
        var stats = await Queue.StatsAsync(q);
        Assert.Equal((1, 1, 0), (stats.Depth, stats.Delayed, stats.Visible));
        var got = Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 10_000)));
        Assert.Equal(seq, got.Seq);
    }

    [Fact]
    public async Task AnExpiredLeaseRedeliversWithTheDeliveryCount()
    {
        var q = NewQueue();
        var seq = await Queue.EnqueueAsync(q, Bytes("x"));
        var first = Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(VisibilityTimeoutMs: 300)));
        Assert.Equal(1, first.Deliveries);
        var second = Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 10_000, VisibilityTimeoutMs: 60_000)));
        Assert.Equal((seq, 2), (second.Seq, second.Deliveries));
        await Queue.AckAsync(q, [seq]);
    }

    [Fact]
    public async Task LeasesStillExpireAfterManyAckedDeliveriesCompactedTheTimeline()
    {
        var q = NewQueue();
        // 1,100 deliveries acked long before their leases end: enough stale timeline entries to make it compact.
        // (64 enqueues in flight: the partition takes them one at a time, and a deep line would outlast a call's timeout.)
        await Parallel.ForEachAsync(Enumerable.Range(0, 1_100), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) => await Queue.EnqueueAsync(q, Bytes($"m{i}")));
        var taken = new List<QueueMessage>();
        while (taken.Count < 1_100)
        {
            taken.AddRange(await Queue.DequeueAsync(q, 1_000));
        }
        await Queue.AckAsync(q, [.. taken.Take(1_000).Select(m => m.Seq)]);
        await Queue.AckAsync(q, [.. taken.Skip(1_000).Select(m => m.Seq)]);
        var delayed = await Queue.EnqueueAsync(q, Bytes("later"), new EnqueueOptions(DelayMs: 300));
        var seq = await Queue.EnqueueAsync(q, Bytes("x"));
        Assert.Equal(seq, Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(VisibilityTimeoutMs: 300))).Seq);
        var again = await Queue.DequeueAsync(q, 2, new DequeueOptions(BlockMs: 10_000, VisibilityTimeoutMs: 60_000));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (again.Count < 2 && DateTime.UtcNow < deadline)
        {
            again = [.. again, .. await Queue.DequeueAsync(q, 2 - again.Count, new DequeueOptions(BlockMs: 10_000, VisibilityTimeoutMs: 60_000))];
        }
        Assert.Equal([(delayed, 1), (seq, 2)], again.Select(m => (m.Seq, m.Deliveries)).OrderBy(m => m.Item2));
    }

    [Fact]
    public async Task AfterMaxDeliveriesAnExpiredLeaseGoesToTheDlq()
    {
        var q = NewQueue();
        await Queue.ConfigureAsync(q, QueueSettings.Default with { MaxDeliveries = 2 });
        var seq = await Queue.EnqueueAsync(q, Bytes("poison"));
        for (var i = 1; i <= 2; i++)
        {
            var m = Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 10_000, VisibilityTimeoutMs: 200)));
            Assert.Equal(i, m.Deliveries);
        }
        var dead = await WaitForDlqAsync(q, 1);
        Assert.Equal((seq, 2, "poison"), (dead[0].Seq, dead[0].Deliveries, Encoding.UTF8.GetString(dead[0].Payload)));
        Assert.Contains("expired", dead[0].LastError);
        Assert.Empty(await Queue.DequeueAsync(q, 1));
    }

    [Fact]
    public async Task NackMakesVisibleAtOnceOrAfterADelayOrSendsToTheDlqWithTheError()
    {
        var q = NewQueue();
        var a = await Queue.EnqueueAsync(q, Bytes("a"));
        var b = await Queue.EnqueueAsync(q, Bytes("b"));
        var c = await Queue.EnqueueAsync(q, Bytes("c"));
        Assert.Equal(3, (await Queue.DequeueAsync(q, 3)).Count);

        await Queue.NackAsync(q, [a]);
        await Queue.NackAsync(q, [b], new NackOptions(DelayMs: 60_000));
        await Queue.NackAsync(q, [c], new NackOptions(ToDlq: true, Error: "bad input"));

        var again = Assert.Single(await Queue.DequeueAsync(q, 10));
        Assert.Equal((a, 2), (again.Seq, again.Deliveries));
        var stats = await Queue.StatsAsync(q);
        Assert.Equal((1, 1, 1), (stats.Delayed, stats.InFlight, stats.DlqSize));
        var dead = Assert.Single(await Queue.DlqListAsync(q));
        Assert.Equal((c, "bad input", 1), (dead.Seq, dead.LastError, dead.Deliveries));
    }

    [Fact]
    public async Task ANackAfterTheLastAllowedDeliveryDeadLetters()
    {
        var q = NewQueue();
        await Queue.ConfigureAsync(q, QueueSettings.Default with { MaxDeliveries = 1 });
        var seq = await Queue.EnqueueAsync(q, Bytes("x"));
        Assert.Single(await Queue.DequeueAsync(q, 1));
        await Queue.NackAsync(q, [seq], new NackOptions(Error: "boom"));
        Assert.Equal("boom", Assert.Single(await Queue.DlqListAsync(q)).LastError);
    }

    [Fact]
    public async Task TouchExtendsALeaseAndAnEndedLeaseCannotBeTouched()
    {
        var q = NewQueue();
        var seq = await Queue.EnqueueAsync(q, Bytes("x"));
        var m = Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(VisibilityTimeoutMs: 500)));
        var expiry = await Queue.TouchAsync(q, [seq], new TouchOptions(VisibilityTimeoutMs: 60_000));
        Assert.True(expiry > m.LeaseExpiresAtMs + 30_000);
        await Task.Delay(1_000);
        Assert.Empty(await Queue.DequeueAsync(q, 1));
        Assert.Equal(1, (await Queue.StatsAsync(q)).InFlight);

        var other = await Queue.EnqueueAsync(q, Bytes("y"));
        Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(VisibilityTimeoutMs: 100)));
        await Task.Delay(500);
        await Assert.ThrowsAsync<LeaseExpiredException>(() => Queue.TouchAsync(q, [other]));
        await Assert.ThrowsAsync<MessageNotFoundException>(() => Queue.TouchAsync(q, [seq + 1_000_000]));
    }

    [Fact]
    public async Task PeekReturnsVisibleMessagesWithoutLeasing()
    {
        var q = NewQueue();
        var seq = await Queue.EnqueueAsync(q, Bytes("x"), new EnqueueOptions(Priority: 3));
        var peeked = Assert.Single(await Queue.PeekAsync(q, 5));
        Assert.Equal((seq, 0, 0L, 3), (peeked.Seq, peeked.Deliveries, peeked.LeaseExpiresAtMs, peeked.Priority));
        Assert.Single(await Queue.PeekAsync(q, 5));
        var got = Assert.Single(await Queue.DequeueAsync(q, 1));
        Assert.Equal((seq, 1), (got.Seq, got.Deliveries));
        Assert.Empty(await Queue.PeekAsync(q, 5));
    }

    [Fact]
    public async Task DlqRequeueMovesBackWithAFreshDeliveryCount()
    {
        var q = NewQueue();
        var seqs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            seqs.Add(await Queue.EnqueueAsync(q, Bytes($"m{i}")));
        }
        await Queue.DequeueAsync(q, 3);
        await Queue.NackAsync(q, seqs, new NackOptions(ToDlq: true));
        Assert.Equal(seqs, (await Queue.DlqListAsync(q)).Select(d => d.Seq));
        Assert.Equal(seqs[1..2], (await Queue.DlqListAsync(q, new DlqListOptions(Limit: 1, AfterSeq: seqs[0]))).Select(d => d.Seq));

        Assert.Equal(1, await Queue.DlqRequeueAsync(q, [seqs[0]]));
        var back = Assert.Single(await Queue.DequeueAsync(q, 5));
        Assert.Equal((seqs[0], 1), (back.Seq, back.Deliveries));
        await Assert.ThrowsAsync<MessageNotFoundException>(() => Queue.DlqRequeueAsync(q, [seqs[0]]));
        Assert.Equal(2, await Queue.DlqRequeueAsync(q));
        Assert.Equal(0, (await Queue.StatsAsync(q)).DlqSize);
        Assert.Equal(2, (await Queue.DequeueAsync(q, 5)).Count);
    }

    [Fact]
    public async Task TheDlqIsBoundedDroppingTheOldestAndCountingThem()
    {
        var q = NewQueue();
        await Queue.ConfigureAsync(q, QueueSettings.Default with { DlqMaxSize = 3 });
        var seqs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            seqs.Add(await Queue.EnqueueAsync(q, Bytes($"m{i}")));
        }
        await Queue.DequeueAsync(q, 5);
        foreach (var seq in seqs)
        {
            await Queue.NackAsync(q, [seq], new NackOptions(ToDlq: true));
        }
        Assert.Equal(seqs[2..], (await Queue.DlqListAsync(q)).Select(d => d.Seq));
        var stats = await Queue.StatsAsync(q);
        Assert.Equal((3, 2), (stats.DlqSize, stats.DlqDropped));
    }

    [Fact]
    public async Task ADedupKeyWithinTheWindowReturnsTheFirstSequenceAndStoresNothing()
    {
        var q = NewQueue();
        var first = await Queue.EnqueueAsync(q, Bytes("one"), new EnqueueOptions(DedupKey: "order-1"));
        Assert.Equal(first, await Queue.EnqueueAsync(q, Bytes("two"), new EnqueueOptions(DedupKey: "order-1")));
        Assert.Equal(1, (await Queue.StatsAsync(q)).Depth);
        var m = Assert.Single(await Queue.DequeueAsync(q, 5));
        Assert.Equal("one", Text(m));
        await Queue.AckAsync(q, [m.Seq]);
        Assert.Equal(first, await Queue.EnqueueAsync(q, Bytes("three"), new EnqueueOptions(DedupKey: "order-1")));
        Assert.Equal(0, (await Queue.StatsAsync(q)).Depth);
        Assert.NotEqual(first, await Queue.EnqueueAsync(q, Bytes("four"), new EnqueueOptions(DedupKey: "order-2")));

        var shortWindow = NewQueue();
        await Queue.ConfigureAsync(shortWindow, QueueSettings.Default with { DedupWindowMs = 300 });
        var a = await Queue.EnqueueAsync(shortWindow, Bytes("a"), new EnqueueOptions(DedupKey: "k"));
        await Task.Delay(600);
        Assert.NotEqual(a, await Queue.EnqueueAsync(shortWindow, Bytes("b"), new EnqueueOptions(DedupKey: "k")));
        Assert.Equal(2, (await Queue.StatsAsync(shortWindow)).Depth);
    }

    [Fact]
    public async Task ALongPollIsWokenByAnEnqueue()
    {
        var q = NewQueue();
        var poll = Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 20_000));
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);
        var seq = await Queue.EnqueueAsync(q, Bytes("wake"));
        var got = Assert.Single(await poll);
        Assert.Equal(seq, got.Seq);
    }

    [Fact]
    public async Task ALongPollWithNothingToDeliverReturnsEmptyWhenItsTimeIsUp()
    {
        Assert.Empty(await Queue.DequeueAsync(NewQueue(), 1, new DequeueOptions(BlockMs: 300)));
    }

    [Fact]
    public async Task EachMessageGoesToExactlyOneOfManyWaitingConsumersFirstComeFirstServed()
    {
        var q = NewQueue();
        var first = Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 15_000));
        await Task.Delay(300);
        var others = Enumerable.Range(0, 9).Select(_ => Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 3_000))).ToList();
        await Task.Delay(300);
        var seqs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            seqs.Add(await Queue.EnqueueAsync(q, Bytes($"m{i}")));
        }
        // The longest waiter is served first: it gets the first message.
        Assert.Equal(seqs[0], Assert.Single(await first).Seq);
        var results = await Task.WhenAll(others);
        var delivered = results.SelectMany(r => r).Select(m => m.Seq).ToList();
        Assert.Equal(seqs[1..].Order(), delivered.Order());
        Assert.Equal(4, results.Count(r => r.Count == 1));
        Assert.Equal(5, results.Count(r => r.Count == 0));
    }

    [Fact]
    public async Task AckWithAnUnknownSequenceChangesNothing()
    {
        var q = NewQueue();
        var seq = await Queue.EnqueueAsync(q, Bytes("x"));
        Assert.Single(await Queue.DequeueAsync(q, 1));
        var error = await Assert.ThrowsAsync<MessageNotFoundException>(() => Queue.AckAsync(q, [seq, seq + 256 * 1000]));
        Assert.Contains((seq + 256 * 1000).ToString(), error.Message);
        Assert.Equal(1, (await Queue.StatsAsync(q)).InFlight);
        await Queue.AckAsync(q, [seq]);
    }

    [Fact]
    public async Task AckingOrNackingNothingIsANoOp()
    {
        var q = NewQueue();
        var seq = await Queue.EnqueueAsync(q, Bytes("x"));
        Assert.Single(await Queue.DequeueAsync(q, 1));
        // A consumer that processed an empty batch acks (or releases) it: nothing changes, nothing fails.
        await Queue.AckAsync(q, []);
        await Queue.NackAsync(q, []);
        Assert.Equal(1, (await Queue.StatsAsync(q)).InFlight);
        // The queue's name and namespace are still checked.
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.AckAsync("bad/name", []));
        await Queue.AckAsync(q, [seq]);
    }

    [Fact]
    public async Task BadInputGetsTypedErrorsAndStoresNothing()
    {
        var q = NewQueue();
        await Queue.EnqueueAsync(q, Bytes("keep"));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.DequeueAsync(q, 0));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.DequeueAsync(q, 1_000_000));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: -1)));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.EnqueueAsync(q, Bytes("x"), new EnqueueOptions(DelayMs: -5)));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.EnqueueAsync(q, new byte[QueueLimits.MaxPayloadBytes + 1]));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.EnqueueAsync("bad/name", Bytes("x")));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.AckAsync(q, [-3]));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.ConfigureAsync(q, QueueSettings.Default with { MaxDeliveries = 0 }));
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.NackAsync(q, [1], new NackOptions(DelayMs: -1)));
        // Straight to the grain: it checks for itself.
        var grain = fixture.Client.Grains.GetGrain<IQueuePartitionGrain>(QueueLimits.PartitionKey("default", q, 0));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.Dequeue(0, 0, 0));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.Enqueue([new QueueEnqueueItem { Payload = new byte[QueueLimits.MaxPayloadBytes + 1] }]));
        var stats = await Queue.StatsAsync(q);
        Assert.Equal((1, 0), (stats.Depth, stats.InFlight));
        Assert.Equal("keep", Text(Assert.Single(await Queue.PeekAsync(q, 5))));
    }

    [Fact]
    public async Task NamespacesSeparateQueuesOfOneName()
    {
        var q = NewQueue();
        await Queue.EnqueueAsync(q, Bytes("a"), new EnqueueOptions(Namespace: "tenant-a"));
        Assert.Empty(await Queue.DequeueAsync(q, 1, new DequeueOptions(Namespace: "tenant-b")));
        Assert.Equal("a", Text(Assert.Single(await Queue.DequeueAsync(q, 1, new DequeueOptions(Namespace: "tenant-a")))));
    }

    [Fact]
    public async Task APartitionedQueueDeliversEveryMessageOnceAndWakesLongPolls()
    {
        var q = NewQueue();
        await Queue.ConfigureAsync(q, QueueSettings.Default with { Partitions = 4 });
        await Assert.ThrowsAsync<QueueArgumentException>(() => Queue.ConfigureAsync(q, QueueSettings.Default with { Partitions = 2 }));
        var enqueued = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            enqueued.Add(await Queue.EnqueueAsync(q, Bytes($"m{i}")));
        }
        Assert.Equal(4, enqueued.Select(QueueLimits.PartitionOf).Distinct().Count());
        Assert.Equal((40, 4), ((await Queue.StatsAsync(q)).Depth, (await Queue.StatsAsync(q)).Partitions));
        var got = new List<QueueMessage>();
        for (var i = 0; i < 10 && got.Count < 40; i++)
        {
            got.AddRange(await Queue.DequeueAsync(q, 7));
        }
        Assert.Equal(enqueued.Order(), got.Select(m => m.Seq).Order());
        await Queue.AckAsync(q, Seqs(got));
        Assert.Equal(0, (await Queue.StatsAsync(q)).InFlight);

        var poll = Queue.DequeueAsync(q, 1, new DequeueOptions(BlockMs: 20_000));
        await Task.Delay(300);
        var seq = await Queue.EnqueueAsync(q, Bytes("wake"));
        Assert.Equal(seq, Assert.Single(await poll).Seq);
    }

    private async Task<IReadOnlyList<DlqMessage>> WaitForDlqAsync(string q, int count)
    {
        for (var i = 0; i < 200; i++)
        {
            var dead = await Queue.DlqListAsync(q);
            if (dead.Count >= count)
            {
                return dead;
            }
            await Task.Delay(50);
        }
        return await Queue.DlqListAsync(q);
    }
}

/// <summary>The embedded default: one silo on SQLite.</summary>
[Trait("Category", "Queues")]
public sealed class SingleSiloSqliteQueueTests(SingleSiloSqlite fixture) : QueueContractTests<SingleSiloSqlite>(fixture), IClassFixture<SingleSiloSqlite>;

/// <summary>Three silos on PostgreSQL.</summary>
[Trait("Category", "Queues")]
public sealed class ThreeSiloPostgresQueueTests(ThreeSiloPostgres fixture) : QueueContractTests<ThreeSiloPostgres>(fixture), IClassFixture<ThreeSiloPostgres>;

/// <summary>Two silos on the in-memory provider (storage that completes synchronously).</summary>
[Trait("Category", "Queues")]
public sealed class TwoSiloMemoryQueueTests(TwoSiloMemory fixture) : QueueContractTests<TwoSiloMemory>(fixture), IClassFixture<TwoSiloMemory>;
