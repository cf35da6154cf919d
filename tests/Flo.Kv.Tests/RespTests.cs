using System.Diagnostics;
using System.Text;
using StackExchange.Redis;

using Flo.Tests.Shared;

namespace Flo.Kv.Tests;

/// <summary>The KV store through the Redis protocol on the gateway port, with a real Redis client and redis-cli.</summary>
[Trait("Category", "Kv")]
public sealed class RespTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IAsyncLifetime
{
    private ConnectionMultiplexer redis = null!;

    private string Endpoint => fixture.Cluster.Silos[0].GatewayEndpoint;

    public async Task InitializeAsync()
        => redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Endpoint }, AbortOnConnectFail = true, ConnectTimeout = 10_000 });

    public async Task DisposeAsync() => await redis.DisposeAsync();

    private static string NewKey(string prefix = "r") => $"{prefix}:{Guid.NewGuid():N}";

    [Fact]
    public async Task SetGetDelExistsAndTheValueIsTheKvValue()
    {
        var db = redis.GetDatabase();
        var key = NewKey();
        Assert.True(await db.StringSetAsync(key, "John"));
        Assert.Equal("John", (string?)await db.StringGetAsync(key));
        // The same key through FloClient: one store.
        Assert.Equal("John", Encoding.UTF8.GetString((await fixture.Client.Kv.GetAsync(key))!.Value));
        Assert.Equal(1, await db.KeyExistsAsync([key, NewKey("missing")]));
        Assert.True(await db.KeyDeleteAsync(key));
        Assert.False(await db.KeyDeleteAsync(key));
        Assert.True((await db.StringGetAsync(key)).IsNull);
    }

    [Fact]
    public async Task SetConditionsAndExpiry()
    {
        var db = redis.GetDatabase();
        var key = NewKey();
        Assert.False(await db.StringSetAsync(key, "x", when: When.Exists));
        Assert.True(await db.StringSetAsync(key, "a", when: When.NotExists));
        Assert.False(await db.StringSetAsync(key, "b", when: When.NotExists));
        Assert.True(await db.StringSetAsync(key, "c", when: When.Exists));
        Assert.Equal("c", (string?)await db.StringGetAsync(key));
        Assert.Null(await db.KeyTimeToLiveAsync(key));
        Assert.True(await db.KeyExpireAsync(key, TimeSpan.FromSeconds(100)));
        Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 90, 100);
        await db.StringSetAsync(key, "d", TimeSpan.FromMilliseconds(300));
        await WaitUntilAsync(async () => (await db.StringGetAsync(key)).IsNull, "the key expires");
        Assert.False(await db.KeyExpireAsync(NewKey("missing"), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task IncrCountsAndRefusesNonIntegers()
    {
        var db = redis.GetDatabase();
        var key = NewKey();
        Assert.Equal(1, await db.StringIncrementAsync(key));
        Assert.Equal(11, await db.StringIncrementAsync(key, 10));
        Assert.Equal(10, await db.StringDecrementAsync(key));
        var text = NewKey();
        await db.StringSetAsync(text, "abc");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync(text));
        Assert.Contains("not an integer", error.Message);
        Assert.Equal("abc", (string?)await db.StringGetAsync(text));
        // Concurrent increments from many callers: none lost.
        var counter = NewKey();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => db.StringIncrementAsync(counter)));
        Assert.Equal(50, (long)await db.StringGetAsync(counter));
    }

    [Fact]
    public async Task MgetMsetAndPipelinedBatchesKeepTheirOrder()
    {
        var db = redis.GetDatabase();
        var a = NewKey();
        var b = NewKey();
        Assert.True(await db.StringSetAsync([new(a, "1"), new(b, "2")]));
        var values = await db.StringGetAsync([a, b, NewKey("missing")]);
        Assert.Equal(["1", "2", null], values.Select(v => (string?)v));

        // One batch: set, increment twice and read the same key; replies in order, effects in order.
        var key = NewKey();
        var batch = db.CreateBatch();
        var set = batch.StringSetAsync(key, "5");
        var incr1 = batch.StringIncrementAsync(key);
        var incr2 = batch.StringIncrementAsync(key);
        var get = batch.StringGetAsync(key);
        var others = Enumerable.Range(0, 200).Select(i => batch.StringSetAsync($"{key}:{i}", i)).ToArray();
        batch.Execute();
        Assert.True(await set);
        Assert.Equal(6, await incr1);
        Assert.Equal(7, await incr2);
        Assert.Equal("7", (string?)await get);
        Assert.All(await Task.WhenAll(others), Assert.True);
        Assert.Equal("199", (string?)await db.StringGetAsync($"{key}:199"));
    }

    [Fact]
    public async Task ScanWithAPrefixMatchWalksEveryKeyOnce()
    {
        var db = redis.GetDatabase();
        var prefix = $"scan-{Guid.NewGuid():N}:";
        var keys = Enumerable.Range(0, 120).Select(i => $"{prefix}{i:D3}").ToList();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "v")));
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var seen = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 25))
        {
            seen.Add(key!);
        }
        Assert.Equal(keys, seen);
    }

    [Fact]
    public async Task SelectChoosesTheNamespace()
    {
        var key = NewKey();
        await redis.GetDatabase(0).StringSetAsync(key, "zero");
        await redis.GetDatabase(1).StringSetAsync(key, "one");
        Assert.Equal("zero", (string?)await redis.GetDatabase(0).StringGetAsync(key));
        Assert.Equal("one", (string?)await redis.GetDatabase(1).StringGetAsync(key));
        Assert.Equal("one", Encoding.UTF8.GetString((await fixture.Client.Kv.GetAsync(key, new GetOptions(Namespace: "db1")))!.Value));
    }

    [Fact]
    public async Task BadInputGetsAnErrorReplyAndNothingIsStored()
    {
        var db = redis.GetDatabase();
        var big = new string('k', 600);
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync(big, "v"));
        Assert.Contains("512", error.Message);
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync(NewKey(), new byte[KvKeys.DefaultMaxValueBytes + 1]));
        Assert.Contains("limit", error.Message);
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SET", "k"));
        Assert.Contains("wrong number of arguments", error.Message);
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("SCAN", "0", "MATCH", "a*b"));
        Assert.Contains("prefix*", error.Message);
        error = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("NOSUCHCOMMAND"));
        Assert.Contains("unknown command", error.Message);
        // The connection is still usable after errors.
        Assert.Equal("PONG", (string?)await db.ExecuteAsync("PING"));
    }

    [Theory]
    [InlineData("*x\r\n")]
    [InlineData("*1\r\n$999999999\r\n")]
    [InlineData("*1\r\n:5\r\n")]
    [InlineData("*2\r\n$3\r\nGETxx")]
    public async Task MalformedRespGetsAProtocolErrorAndOnlyThatConnectionCloses(string garbage)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", fixture.Cluster.Silos[0].GatewayPort);
        await socket.SendAsync(Encoding.ASCII.GetBytes(garbage), System.Net.Sockets.SocketFlags.None);
        var buffer = new byte[4096];
        var received = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n;
        while ((n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        Assert.StartsWith("-ERR Protocol error", received.ToString());
        // The server and other connections are fine.
        Assert.Equal("PONG", (string?)await redis.GetDatabase().ExecuteAsync("PING"));
    }

    [Fact]
    public async Task RedisCliWorks()
    {
        var cli = FindRedisCli();
        Assert.True(cli is not null, "redis-cli is not installed (Debian package redis-tools; test.sh installs it)");
        var port = fixture.Cluster.Silos[0].GatewayPort.ToString();
        var key = NewKey("cli");
        Assert.Equal("PONG", await RunAsync(cli!, "-p", port, "PING"));
        Assert.Equal("OK", await RunAsync(cli!, "-p", port, "SET", key, "from-cli"));
        Assert.Equal("from-cli", await RunAsync(cli!, "-p", port, "GET", key));
        Assert.Equal("from-cli", Encoding.UTF8.GetString((await fixture.Client.Kv.GetAsync(key))!.Value));
    }

    private static string? FindRedisCli()
        => new[] { "/usr/bin/redis-cli", "/usr/local/bin/redis-cli" }.FirstOrDefault(File.Exists);

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }
}
