using System.Text;
using Flo.Tests.Shared;

namespace Flo.Streams.Tests;

/// <summary>The stream contract lines for logs and reads (spec/streams.md), run against each deployment.</summary>
public abstract class StreamContractTests<TFixture>(TFixture fixture) where TFixture : PlatformClusterFixture
{
    private StreamClient Stream => fixture.Client.Stream;

    private static string NewStream() => $"s-{Guid.NewGuid():N}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(StreamRecord r) => Encoding.UTF8.GetString(r.Payload);

    [Fact]
    public async Task AppendsGetIncreasingIdsAndReadBackInOrderWithHeaders()
    {
        var s = NewStream();
        var ids = new List<StreamId>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await Stream.AppendAsync(s, Bytes($"e{i}"), new AppendOptions(Headers: i == 0 ? new() { ["type"] = "login" } : null)));
        }
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(20, ids.Distinct().Count());
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.InRange(ids[0].TimestampMs, now - 60_000, now + 1_000);
        var all = await Stream.ReadAsync(s);
        Assert.Equal(ids, all.Select(r => r.Id));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"e{i}"), all.Select(Text));
        Assert.Equal("login", all[0].Headers!["type"]);
        Assert.Null(all[1].Headers);
    }

    [Fact]
    public async Task ReadsStartAtAnIdInclusiveAndCountLimits()
    {
        var s = NewStream();
        var ids = new List<StreamId>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await Stream.AppendAsync(s, Bytes($"e{i}")));
        }
        var page = await Stream.ReadAsync(s, new StreamReadOptions(Start: ids[3], Count: 4));
        Assert.Equal(ids[3..7], page.Select(r => r.Id));
        var next = await Stream.ReadAsync(s, new StreamReadOptions(Start: page[^1].Id.Next(), Count: 100));
        Assert.Equal(ids[7..], next.Select(r => r.Id));
        Assert.Empty(await Stream.ReadAsync(s, new StreamReadOptions(Start: ids[^1].Next())));
    }

    [Fact]
    public async Task TailReturnsTheNewestRecordsOldestFirst()
    {
        var s = NewStream();
        for (var i = 0; i < 10; i++)
        {
            await Stream.AppendAsync(s, Bytes($"e{i}"));
        }
        var tail = await Stream.ReadAsync(s, new StreamReadOptions(Tail: true, Count: 3));
        Assert.Equal(["e7", "e8", "e9"], tail.Select(Text));
    }

    [Fact]
    public async Task ATailReadWithABlockWaitsForNewRecordsOnly()
    {
        var s = NewStream();
        await Stream.AppendAsync(s, Bytes("old"));
        var waiting = Stream.ReadAsync(s, new StreamReadOptions(Tail: true, Count: 10, BlockMs: 20_000));
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        var id = await Stream.AppendAsync(s, Bytes("new"));
        var got = Assert.Single(await waiting);
        Assert.Equal((id, "new"), (got.Id, Text(got)));
    }

    [Fact]
    public async Task ABlockingReadFromAPositionIsWokenByAnAppendAndTimesOutEmpty()
    {
        var s = NewStream();
        var first = await Stream.AppendAsync(s, Bytes("a"));
        var waiting = Stream.ReadAsync(s, new StreamReadOptions(Start: first.Next(), BlockMs: 20_000));
        await Task.Delay(300);
        await Stream.AppendAsync(s, Bytes("b"));
        Assert.Equal("b", Text(Assert.Single(await waiting)));
        Assert.Empty(await Stream.ReadAsync(NewStream(), new StreamReadOptions(BlockMs: 300)));
    }

    [Fact]
    public async Task RetentionByCountTrimsTheOldestAndATrimmedStartReadsFromTheOldestKept()
    {
        var s = NewStream();
        await Stream.ConfigureAsync(s, StreamSettings.Default with { MaxLength = 5 });
        var ids = new List<StreamId>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await Stream.AppendAsync(s, Bytes($"e{i}")));
        }
        Assert.Equal(ids[7..], (await Stream.ReadAsync(s)).Select(r => r.Id));
        Assert.Equal(ids[7..], (await Stream.ReadAsync(s, new StreamReadOptions(Start: ids[2]))).Select(r => r.Id));
        var info = await Stream.InfoAsync(s);
        Assert.Equal((5L, ids[7].ToString(), ids[^1].ToString(), 7L), (info.Length, info.FirstId, info.LastId, info.Trimmed));
    }

    [Fact]
    public async Task RetentionByBytesAndByAge()
    {
        var bySize = NewStream();
        await Stream.ConfigureAsync(bySize, StreamSettings.Default with { MaxBytes = 250 });
        for (var i = 0; i < 10; i++)
        {
            await Stream.AppendAsync(bySize, new byte[100]);
        }
        var info = await Stream.InfoAsync(bySize);
        Assert.Equal((2L, 200L), (info.Length, info.Bytes));

        var byAge = NewStream();
        // An age long enough that a loaded machine still reads "fresh" before it too is trimmed.
        await Stream.ConfigureAsync(byAge, StreamSettings.Default with { MaxAgeMs = 3_000 });
        await Stream.AppendAsync(byAge, Bytes("old"));
        await Task.Delay(3_500);
        var fresh = await Stream.AppendAsync(byAge, Bytes("fresh"));
        Assert.Equal([fresh], (await Stream.ReadAsync(byAge)).Select(r => r.Id));
    }

    [Fact]
    public async Task ASubscriptionFollowsTheStream()
    {
        var s = NewStream();
        var before = await Stream.AppendAsync(s, Bytes("before"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        var following = Task.Run(async () =>
        {
            await foreach (var r in Stream.SubscribeAsync(s, new StreamSubscribeOptions(Start: before), cts.Token))
            {
                seen.Add(Text(r));
                if (seen.Count == 4)
                {
                    return;
                }
            }
        });
        await Task.Delay(300);
        for (var i = 0; i < 3; i++)
        {
            await Stream.AppendAsync(s, Bytes($"n{i}"));
        }
        await following;
        Assert.Equal(["before", "n0", "n1", "n2"], seen);
    }

    [Fact]
    public async Task APartitionKeyKeepsItsRecordsInOrderInOnePartitionAndReadsMergeAllPartitions()
    {
        var s = NewStream();
        await Stream.ConfigureAsync(s, StreamSettings.Default with { Partitions = 4 });
        var keyed = new List<StreamId>();
        for (var i = 0; i < 10; i++)
        {
            keyed.Add(await Stream.AppendAsync(s, Bytes($"k{i}"), new AppendOptions(PartitionKey: "user-1")));
            await Stream.AppendAsync(s, Bytes($"x{i}"));
        }
        var all = await Stream.ReadAsync(s, new StreamReadOptions(Count: 1000));
        Assert.Equal(20, all.Count);
        var mine = all.Where(r => Text(r).StartsWith('k')).ToList();
        Assert.Single(mine.Select(r => r.Partition).Distinct());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i}"), mine.Select(Text));
        Assert.Equal(keyed, mine.Select(r => r.Id));
        Assert.True(all.Select(r => r.Partition).Distinct().Count() > 1);
        var one = await Stream.ReadAsync(s, new StreamReadOptions(Partition: mine[0].Partition, Count: 1000));
        Assert.All(one, r => Assert.Equal(mine[0].Partition, r.Partition));
        Assert.Equal(4, (await Stream.InfoAsync(s)).Partitions);
    }

    [Fact]
    public async Task BadInputGetsTypedErrors()
    {
        var s = NewStream();
        await Stream.AppendAsync(s, Bytes("keep"));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.ReadAsync(s, new StreamReadOptions(Count: 0)));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.ReadAsync(s, new StreamReadOptions(Count: 10_000_000)));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.ReadAsync(s, new StreamReadOptions(BlockMs: -1)));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.ReadAsync(s, new StreamReadOptions(Partition: 3)));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.AppendAsync(s, new byte[StreamLimits.MaxPayloadBytes + 1]));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.AppendAsync("bad/name", Bytes("x")));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => Stream.ConfigureAsync(s, StreamSettings.Default with { MaxLength = -1 }));
        var grain = fixture.Client.Grains.GetGrain<IStreamPartitionGrain>(StreamLimits.PartitionKey("default", s, 0));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.Append([new StreamAppendItem { Payload = new byte[StreamLimits.MaxPayloadBytes + 1] }]));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.Read(StreamId.Min, 0, 0));
        Assert.Equal("keep", Text(Assert.Single(await Stream.ReadAsync(s))));
    }

    [Fact]
    public async Task ABatchReadTakesWhatWasAskedThenReadsAheadWithinItsBudget()
    {
        var s = NewStream();
        var ids = new List<StreamId>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Stream.AppendAsync(s, new byte[100]));
        }
        var grain = fixture.Client.Grains.GetGrain<IStreamPartitionGrain>(StreamLimits.PartitionKey("default", s, 0));
        // What was asked for is always read; beyond it, records are added while their bytes fit the budget.
        Assert.Equal(ids[..2], (await grain.ReadBatch(StreamId.Min, 1, 10, 150)).Select(r => r.Id));
        Assert.Equal(ids[..3], (await grain.ReadBatch(StreamId.Min, 3, 0, 1_000_000)).Select(r => r.Id));
        Assert.Equal(ids[1..4], (await grain.ReadBatch(ids[1], 1, 2, 1_000_000)).Select(r => r.Id));
        Assert.Equal(ids, (await grain.ReadBatch(StreamId.Min, 2, 10, 1_000_000)).Select(r => r.Id));
        Assert.Empty(await grain.ReadBatch(ids[^1].Next(), 5, 10, 1_000_000));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.ReadBatch(StreamId.Min, 0, 10, 100));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.ReadBatch(StreamId.Min, 1, -1, 100));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.ReadBatch(StreamId.Min, 1, 1, -1));
    }
}

/// <summary>The embedded default: one silo on SQLite.</summary>
public sealed class SingleSiloSqliteStreamTests(SingleSiloSqlite fixture) : StreamContractTests<SingleSiloSqlite>(fixture), IClassFixture<SingleSiloSqlite>;

/// <summary>Three silos on PostgreSQL.</summary>
public sealed class ThreeSiloPostgresStreamTests(ThreeSiloPostgres fixture) : StreamContractTests<ThreeSiloPostgres>(fixture), IClassFixture<ThreeSiloPostgres>;

/// <summary>Two silos on the in-memory provider.</summary>
public sealed class TwoSiloMemoryStreamTests(TwoSiloMemory fixture) : StreamContractTests<TwoSiloMemory>(fixture), IClassFixture<TwoSiloMemory>;
