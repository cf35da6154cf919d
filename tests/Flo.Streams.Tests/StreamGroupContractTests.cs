using System.Text;
using Flo.Tests.Shared;

namespace Flo.Streams.Tests;

/// <summary>The consumer-group lines of the stream contract (spec/streams.md), run against each deployment.</summary>
public abstract class StreamGroupContractTests<TFixture>(TFixture fixture) where TFixture : PlatformClusterFixture
{
    private StreamClient Stream => fixture.Client.Stream;

    private static string NewStream() => $"g-{Guid.NewGuid():N}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(StreamRecord r) => Encoding.UTF8.GetString(r.Payload);

    private async Task<List<StreamId>> AppendAsync(string s, int n, string prefix = "e")
    {
        var ids = new List<StreamId>();
        for (var i = 0; i < n; i++)
        {
            ids.Add(await Stream.AppendAsync(s, Bytes($"{prefix}{i}")));
        }
        return ids;
    }

    [Fact]
    public async Task ANewGroupStartsAtTheEndUnlessToldOtherwise()
    {
        var s = NewStream();
        var old = await AppendAsync(s, 3, "old");
        await Stream.GroupJoinAsync(s, "live", "c1");
        await Stream.GroupJoinAsync(s, "all", "c1", new StreamGroupJoinOptions(StartAfter: StreamId.Min));
        var fresh = await AppendAsync(s, 2, "new");
        Assert.Equal(fresh, (await Stream.GroupReadAsync(s, "live", "c1")).Select(r => r.Id));
        Assert.Equal(old.Concat(fresh), (await Stream.GroupReadAsync(s, "all", "c1")).Select(r => r.Id));
    }

    [Fact]
    public async Task EachRecordGoesToOneConsumerOfTheGroupAndEveryGroupGetsAll()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a");
        await Stream.GroupJoinAsync(s, "g", "b");
        await Stream.GroupJoinAsync(s, "other", "x");
        var ids = await AppendAsync(s, 10);
        var a = await Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(Count: 4));
        var b = await Stream.GroupReadAsync(s, "g", "b", new StreamGroupReadOptions(Count: 100));
        Assert.Equal(ids[..4], a.Select(r => r.Id));
        Assert.Equal(ids[4..], b.Select(r => r.Id));
        Assert.All(a.Concat(b), r => Assert.Equal(1, r.Deliveries));
        Assert.Empty(await Stream.GroupReadAsync(s, "g", "a"));
        Assert.Equal(ids, (await Stream.GroupReadAsync(s, "other", "x")).Select(r => r.Id));
    }

    [Fact]
    public async Task AckRemovesFromPendingAndPendingShowsConsumerDeliveriesAndIdle()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a");
        var ids = await AppendAsync(s, 3);
        var got = await Stream.GroupReadAsync(s, "g", "a");
        var pending = await Stream.GroupPendingAsync(s, "g");
        Assert.Equal(ids, pending.Select(p => p.Id));
        Assert.All(pending, p => Assert.Equal(("a", 1), (p.Consumer, p.Deliveries)));
        Assert.Equal(2, await Stream.GroupAckAsync(s, "g", got.Take(2)));
        Assert.Equal(0, await Stream.GroupAckAsync(s, "g", got.Take(2)));
        Assert.Equal([ids[2]], (await Stream.GroupPendingAsync(s, "g", consumer: "a")).Select(p => p.Id));
        Assert.Empty(await Stream.GroupPendingAsync(s, "g", consumer: "b"));
        var info = await Stream.GroupInfoAsync(s, "g");
        Assert.Equal((1L, 0L), (info.Pending, info.Lag));
        await AppendAsync(s, 2);
        Assert.Equal(2, (await Stream.GroupInfoAsync(s, "g")).Lag);
    }

    [Fact]
    public async Task AnUnackedRecordIsRedeliveredAfterTheAckTimeoutToTheNextReader()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a", new StreamGroupJoinOptions(Settings: StreamGroupSettings.Default with { AckTimeoutMs = 300 }));
        var id = (await AppendAsync(s, 1))[0];
        Assert.Single(await Stream.GroupReadAsync(s, "g", "a"));
        Assert.Empty(await Stream.GroupReadAsync(s, "g", "b"));
        await Task.Delay(500);
        var again = Assert.Single(await Stream.GroupReadAsync(s, "g", "b"));
        Assert.Equal((id, 2), (again.Id, again.Deliveries));
        Assert.Equal("b", Assert.Single(await Stream.GroupPendingAsync(s, "g")).Consumer);
        Assert.Equal(1, await Stream.GroupAckAsync(s, "g", [again]));
    }

    [Fact]
    public async Task AfterMaxDeliveriesARecordGoesToTheGroupsDeadLetters()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a", new StreamGroupJoinOptions(Settings: StreamGroupSettings.Default with { AckTimeoutMs = 200, MaxDeliveries = 2 }));
        var id = (await AppendAsync(s, 1))[0];
        Assert.Equal(1, Assert.Single(await Stream.GroupReadAsync(s, "g", "a")).Deliveries);
        await Task.Delay(300);
        Assert.Equal(2, Assert.Single(await Stream.GroupReadAsync(s, "g", "a")).Deliveries);
        await Task.Delay(300);
        Assert.Empty(await Stream.GroupReadAsync(s, "g", "a"));
        var dead = Assert.Single(await Stream.GroupDeadLettersAsync(s, "g"));
        Assert.Equal((id, 2), (dead.Id, dead.Deliveries));
        var info = await Stream.GroupInfoAsync(s, "g");
        Assert.Equal((0L, 1L), (info.Pending, info.DlqSize));
    }

    [Fact]
    public async Task ClaimAndAutoClaimMoveIdlePendingRecords()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a");
        var ids = await AppendAsync(s, 3);
        await Stream.GroupReadAsync(s, "g", "a");
        Assert.Empty(await Stream.GroupClaimAsync(s, "g", "b", 60_000, [new StreamPendingKey(0, ids[0])]));
        await Task.Delay(200);
        var sinceClaim = System.Diagnostics.Stopwatch.StartNew();
        var claimed = Assert.Single(await Stream.GroupClaimAsync(s, "g", "b", 100, [new StreamPendingKey(0, ids[0])]));
        Assert.Equal((ids[0], 2), (claimed.Id, claimed.Deliveries));
        var auto = await Stream.GroupAutoClaimAsync(s, "g", "c", 100, 10);
        // The record just claimed is not idle, unless the machine stalled past the idle time between the two calls.
        var tookClaimed = auto.Any(r => r.Id == ids[0]);
        Assert.True(!tookClaimed || sinceClaim.Elapsed >= TimeSpan.FromMilliseconds(100), $"auto-claim took a record claimed {sinceClaim.ElapsedMilliseconds} ms before");
        Assert.Equal(tookClaimed ? ids : ids[1..], auto.Select(r => r.Id));
        var pending = await Stream.GroupPendingAsync(s, "g");
        Assert.Equal(tookClaimed ? ["c", "c", "c"] : ["b", "c", "c"], pending.OrderBy(p => p.Id).Select(p => p.Consumer));
    }

    [Fact]
    public async Task ALeavingConsumersRecordsGoToTheNextReaderAndSilentConsumersAreRemoved()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a", new StreamGroupJoinOptions(Settings: StreamGroupSettings.Default with { ConsumerTimeoutMs = 400 }));
        var ids = await AppendAsync(s, 2);
        Assert.Equal(2, (await Stream.GroupReadAsync(s, "g", "a")).Count);
        Assert.True(await Stream.GroupLeaveAsync(s, "g", "a"));
        Assert.False(await Stream.GroupLeaveAsync(s, "g", "a"));
        var taken = await Stream.GroupReadAsync(s, "g", "b");
        Assert.Equal(ids, taken.Select(r => r.Id));
        Assert.All(taken, r => Assert.Equal(2, r.Deliveries));

        var more = await AppendAsync(s, 1, "m");
        Assert.Single(await Stream.GroupReadAsync(s, "g", "b"));
        await Task.Delay(600);
        var byC = await Stream.GroupReadAsync(s, "g", "c");
        Assert.Equal(ids.Concat(more).Order(), byC.Select(r => r.Id).Order());
        Assert.Equal(["c"], (await Stream.GroupInfoAsync(s, "g")).ConsumerIdleMs.Keys);
    }

    [Fact]
    public async Task ABlockingGroupReadIsWokenByAnAppend()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a");
        var waiting = Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(BlockMs: 20_000));
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        var id = await Stream.AppendAsync(s, Bytes("wake"));
        Assert.Equal(id, Assert.Single(await waiting).Id);
    }

    [Fact]
    public async Task AGroupOverPartitionsDeliversEveryRecordOnceInPartitionOrder()
    {
        var s = NewStream();
        await Stream.ConfigureAsync(s, StreamSettings.Default with { Partitions = 3 });
        await Stream.GroupJoinAsync(s, "g", "a");
        var ids = new List<(int, StreamId)>();
        for (var i = 0; i < 30; i++)
        {
            await Stream.AppendAsync(s, Bytes($"e{i}"), new AppendOptions(PartitionKey: $"k{i % 5}"));
        }
        var got = new List<StreamRecord>();
        for (var i = 0; i < 10 && got.Count < 30; i++)
        {
            got.AddRange(await Stream.GroupReadAsync(s, "g", i % 2 == 0 ? "a" : "b", new StreamGroupReadOptions(Count: 7)));
        }
        Assert.Equal(30, got.Select(r => (r.Partition, r.Id)).Distinct().Count());
        foreach (var partition in got.GroupBy(r => r.Partition))
        {
            Assert.Equal(partition.Select(r => r.Id).Order(), partition.Select(r => r.Id));
        }
        Assert.Equal(30, await Stream.GroupAckAsync(s, "g", got));
    }

    [Fact]
    public async Task ConcurrentConsumersTakeEveryRecordOnceAndEachInPartitionOrder()
    {
        var s = NewStream();
        await Stream.ConfigureAsync(s, StreamSettings.Default with { Partitions = 2 });
        await Stream.GroupJoinAsync(s, "g", "c0");
        for (var i = 0; i < 200; i++)
        {
            await Stream.AppendAsync(s, Bytes($"e{i}"), new AppendOptions(PartitionKey: $"k{i}"));
        }
        var expected = (await Stream.ReadAsync(s, new StreamReadOptions(Count: 1000))).Select(r => (r.Partition, r.Id)).ToHashSet();
        Assert.Equal(200, expected.Count);

        // Readers with different batch sizes race over the group: the read-ahead must hand each record out once.
        var received = await Task.WhenAll(Enumerable.Range(0, 12).Select(w => Task.Run(async () =>
        {
            var mine = new List<StreamRecord>();
            while (true)
            {
                var got = await Stream.GroupReadAsync(s, "g", $"c{w}", new StreamGroupReadOptions(Count: 1 + w % 7));
                if (got.Count == 0)
                {
                    return mine;
                }
                mine.AddRange(got);
            }
        })));

        var all = received.SelectMany(r => r).Select(r => (r.Partition, r.Id)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.True(expected.SetEquals(all));
        foreach (var mine in received)
        {
            foreach (var partition in mine.GroupBy(r => r.Partition))
            {
                Assert.Equal(partition.Select(r => r.Id).Order(), partition.Select(r => r.Id));
            }
        }
        var info = await Stream.GroupInfoAsync(s, "g");
        Assert.Equal((0L, 200L), (info.Lag, info.Pending));
    }

    [Fact]
    public async Task AShorterAckTimeoutAppliesToRecordsAlreadyPending()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a", new StreamGroupJoinOptions(Settings: StreamGroupSettings.Default with { AckTimeoutMs = 60_000 }));
        var ids = await AppendAsync(s, 1);
        Assert.Single(await Stream.GroupReadAsync(s, "g", "a"));
        await Stream.GroupJoinAsync(s, "g", "b", new StreamGroupJoinOptions(Settings: StreamGroupSettings.Default with { AckTimeoutMs = 200 }));
        await Task.Delay(400);
        var again = Assert.Single(await Stream.GroupReadAsync(s, "g", "b"));
        Assert.Equal((ids[0], 2), (again.Id, again.Deliveries));
    }

    [Fact]
    public async Task RedeliveryStillWorksAfterManyAckedDeliveriesCompactedTheDueQueue()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a", new StreamGroupJoinOptions(Settings: StreamGroupSettings.Default with { AckTimeoutMs = 300 }));
        await Task.WhenAll(Enumerable.Range(0, 1_100).Select(i => Stream.AppendAsync(s, Bytes($"e{i}"))));
        var taken = new List<StreamRecord>();
        while (taken.Count < 1_100)
        {
            var got = await Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(Count: 1_000));
            // Acked at once: 1,100 due entries go stale, enough for the group to rebuild its due queue.
            await Stream.GroupAckAsync(s, "g", got);
            taken.AddRange(got);
        }
        var id = await Stream.AppendAsync(s, Bytes("x"));
        Assert.Equal(id, Assert.Single(await Stream.GroupReadAsync(s, "g", "a")).Id);
        await Task.Delay(500);
        var again = Assert.Single(await Stream.GroupReadAsync(s, "g", "b"));
        Assert.Equal((id, 2), (again.Id, again.Deliveries));
    }

    [Fact]
    public async Task RecordsTheGroupReadAheadCountAsLagUntilDelivered()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a");
        var ids = await AppendAsync(s, 10);
        Assert.Equal([ids[0]], (await Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(Count: 1))).Select(r => r.Id));
        var info = await Stream.GroupInfoAsync(s, "g");
        Assert.Equal((9L, 1L), (info.Lag, info.Pending));
        var more = await AppendAsync(s, 5, "m");
        Assert.Equal(ids[1..].Concat(more), (await Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(Count: 100))).Select(r => r.Id));
        Assert.Equal(0L, (await Stream.GroupInfoAsync(s, "g")).Lag);
    }

    [Fact]
    public async Task ATrimReachesTheGroupOnceItsReadAheadIsStale()
    {
        var s = NewStream();
        await Stream.GroupJoinAsync(s, "g", "a");
        var ids = await AppendAsync(s, 10);
        Assert.Single(await Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(Count: 1)));
        await Stream.ConfigureAsync(s, StreamSettings.Default with { MaxLength = 3 });
        await Task.Delay(TimeSpan.FromMilliseconds(1_200));
        Assert.Equal(ids[7..], (await Stream.GroupReadAsync(s, "g", "a")).Select(r => r.Id));
    }

    [Fact]
    public async Task AnUnknownGroupAndBadInputGetTypedErrors()
    {
        var s = NewStream();
        await AppendAsync(s, 1);
        await Assert.ThrowsAsync<GroupNotFoundException>(() => Stream.GroupReadAsync(s, "nope", "a"));
        await Assert.ThrowsAsync<GroupNotFoundException>(() => Stream.GroupAckAsync(s, "nope", [StreamId.Min]));
        await Assert.ThrowsAsync<GroupNotFoundException>(() => Stream.GroupInfoAsync(s, "nope"));
        await Stream.GroupJoinAsync(s, "g", "a");
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(Count: 0)));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.GroupReadAsync(s, "g", "", new StreamGroupReadOptions()));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.GroupJoinAsync(s, "bad/group", "a"));
        // Acking nothing: the client answers 0 without a call; the group itself rejects an empty ack.
        Assert.Equal(0, await Stream.GroupAckAsync(s, "g", Array.Empty<StreamId>()));
        var grain = fixture.Client.Grains.GetGrain<IStreamGroupGrain>($"default/{s}/g");
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.Ack([]));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.GroupAutoClaimAsync(s, "g", "a", -1));
    }
}

/// <summary>The embedded default: one silo on SQLite.</summary>
public sealed class SingleSiloSqliteStreamGroupTests(SingleSiloSqlite fixture) : StreamGroupContractTests<SingleSiloSqlite>(fixture), IClassFixture<SingleSiloSqlite>;

/// <summary>Three silos on PostgreSQL.</summary>
public sealed class ThreeSiloPostgresStreamGroupTests(ThreeSiloPostgres fixture) : StreamGroupContractTests<ThreeSiloPostgres>(fixture), IClassFixture<ThreeSiloPostgres>;

/// <summary>Two silos on the in-memory provider.</summary>
public sealed class TwoSiloMemoryStreamGroupTests(TwoSiloMemory fixture) : StreamGroupContractTests<TwoSiloMemory>(fixture), IClassFixture<TwoSiloMemory>;
