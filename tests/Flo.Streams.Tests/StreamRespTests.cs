using System.Text;
using Flo.Tests.Shared;
using StackExchange.Redis;

namespace Flo.Streams.Tests;

/// <summary>Streams through the Redis protocol with a real Redis client (StackExchange.Redis).</summary>
public sealed class StreamRespTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IAsyncLifetime
{
    private ConnectionMultiplexer redis = null!;

    /// <summary>The silo's RESP listener (its own port, not the Orleans gateway).</summary>
    private string Resp => $"127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).RespPort}";

    public async Task InitializeAsync()
        => redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Resp }, AbortOnConnectFail = true, ConnectTimeout = 10_000 });

    public async Task DisposeAsync() => await redis.DisposeAsync();

    private static string NewStream() => $"r-{Guid.NewGuid():N}";

    [Fact]
    public async Task XAddXRangeXRevRangeXLenAndXTrim()
    {
        var db = redis.GetDatabase();
        var s = NewStream();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((string)(await db.StreamAddAsync(s, [new NameValueEntry("n", i), new NameValueEntry("kind", "click")]))!);
        }
        Assert.Equal(5, await db.StreamLengthAsync(s));
        var range = await db.StreamRangeAsync(s);
        Assert.Equal(ids, range.Select(e => (string)e.Id!));
        Assert.Equal("2", (string?)range[2]["n"]);
        Assert.Equal("click", (string?)range[2]["kind"]);
        var rev = await db.StreamRangeAsync(s, count: 2, messageOrder: Order.Descending);
        Assert.Equal([ids[4], ids[3]], rev.Select(e => (string)e.Id!));
        var middle = await db.StreamRangeAsync(s, ids[1], ids[3]);
        Assert.Equal(ids[1..4], middle.Select(e => (string)e.Id!));
        // A record appended by FloClient shows as a "payload" field.
        await fixture.Client.Stream.AppendAsync(s, Encoding.UTF8.GetBytes("from-client"));
        var last = (await db.StreamRangeAsync(s, count: 1, messageOrder: Order.Descending))[0];
        Assert.Equal("from-client", (string?)last["payload"]);
        Assert.Equal(3, await db.StreamTrimAsync(s, 3));
        Assert.Equal(3, await db.StreamLengthAsync(s));
    }

    [Fact]
    public async Task XReadFromAnIdAndBlockingFromTheEnd()
    {
        var db = redis.GetDatabase();
        var s = NewStream();
        var first = (string)(await db.StreamAddAsync(s, "f", "1"))!;
        var second = (string)(await db.StreamAddAsync(s, "f", "2"))!;
        var after = await db.StreamReadAsync(s, first);
        Assert.Equal([second], after.Select(e => (string)e.Id!));

        // A blocking XREAD on its own connection (it holds the connection while it waits).
        await using var blocking = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Resp }, SyncTimeout = 30_000, AsyncTimeout = 30_000 });
        var waiting = blocking.GetDatabase().ExecuteAsync("XREAD", "BLOCK", "20000", "STREAMS", s, "$");
        await Task.Delay(300);
        var third = (string)(await db.StreamAddAsync(s, "f", "3"))!;
        var result = (RedisResult[])(await waiting)!;
        var entries = (RedisResult[])((RedisResult[])result[0]!)[1]!;
        Assert.Equal(third, (string?)((RedisResult[])entries[0]!)[0]);
        var timedOut = await blocking.GetDatabase().ExecuteAsync("XREAD", "BLOCK", "200", "STREAMS", s, "$");
        Assert.True(timedOut.IsNull);
    }

    [Fact]
    public async Task ConsumerGroupsWithXReadGroupXAckXPendingXClaimXAutoClaimAndXInfo()
    {
        var db = redis.GetDatabase();
        var s = NewStream();
        await db.StreamAddAsync(s, "old", "1");
        Assert.True(await db.StreamCreateConsumerGroupAsync(s, "g", StreamPosition.NewMessages));
        await Assert.ThrowsAsync<RedisServerException>(() => db.StreamCreateConsumerGroupAsync(s, "g", StreamPosition.NewMessages));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await db.StreamAddAsync(s, "n", i))!);
        }
        var read = await db.StreamReadGroupAsync(s, "g", "alice", ">", count: 2);
        Assert.Equal(ids[..2], read.Select(e => (string)e.Id!));
        var bob = await db.StreamReadGroupAsync(s, "g", "bob", ">");
        Assert.Equal([ids[2]], bob.Select(e => (string)e.Id!));

        var summary = await db.StreamPendingAsync(s, "g");
        Assert.Equal(3, summary.PendingMessageCount);
        Assert.Equal(ids[0], (string?)summary.LowestPendingMessageId);
        Assert.Equal(2, summary.Consumers.Single(c => c.Name == "alice").PendingMessageCount);
        var detail = await db.StreamPendingMessagesAsync(s, "g", 10, "alice");
        Assert.Equal(ids[..2], detail.Select(p => (string)p.MessageId!));
        Assert.All(detail, p => Assert.Equal(1, p.DeliveryCount));

        Assert.Equal(1, await db.StreamAcknowledgeAsync(s, "g", ids[0]));
        Assert.Equal(0, await db.StreamAcknowledgeAsync(s, "g", ids[0]));
        var claimed = await db.StreamClaimAsync(s, "g", "carol", 0, [ids[1]]);
        Assert.Equal([ids[1]], claimed.Select(e => (string)e.Id!));
        var auto = await db.StreamAutoClaimAsync(s, "g", "dave", 0, "0-0", 10);
        Assert.Contains(ids[2], auto.ClaimedEntries.Select(e => (string)e.Id!));

        var info = await db.StreamInfoAsync(s);
        Assert.Equal(4, info.Length);
        Assert.Equal(1, info.ConsumerGroupCount);
        var groups = await db.StreamGroupInfoAsync(s);
        Assert.Equal("g", groups.Single().Name);
        Assert.Equal(2, groups.Single().PendingMessageCount);
        var consumers = await db.StreamConsumerInfoAsync(s, "g");
        Assert.Contains(consumers, c => c.Name == "dave");
        // One store: FloClient sees the group RESP made.
        Assert.Equal(2, (await fixture.Client.Stream.GroupInfoAsync(s, "g")).Pending);
    }

    [Fact]
    public async Task ErrorsForUnknownGroupsAndMalformedIds()
    {
        var db = redis.GetDatabase();
        var s = NewStream();
        await db.StreamAddAsync(s, "f", "1");
        var noGroup = await Assert.ThrowsAsync<RedisServerException>(() => db.StreamReadGroupAsync(s, "nope", "c", ">"));
        Assert.StartsWith("NOGROUP", noGroup.Message);
        await Assert.ThrowsAsync<RedisServerException>(() => db.StreamRangeAsync(s, "12-x", "+"));
        await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("XADD", s, "5-5", "f", "v"));
        await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("XADD", s, "*", "f"));
        Assert.Equal(1, await db.StreamLengthAsync(s));
    }
}
