using System.Diagnostics;
using System.Text;
using StackExchange.Redis;

using Flo.Tests.Shared;

namespace Flo.Kv.Tests;

/// <summary>The KV store through the Redis protocol on the silo's RESP port, with a real Redis client and redis-cli.</summary>
[Trait("Category", "Kv")]
public sealed class RespTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IAsyncLifetime
{
    private ConnectionMultiplexer redis = null!;

    private int Port => PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).RespPort;

    private string Endpoint => $"127.0.0.1:{Port}";

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
        var received = await ExchangeRawAsync(garbage, TimeSpan.FromSeconds(10));
        Assert.StartsWith("-ERR Protocol error", received);
        // The server and other connections are fine.
        Assert.Equal("PONG", (string?)await redis.GetDatabase().ExecuteAsync("PING"));
    }

    [Fact]
    public async Task RedisCliWorks()
    {
        var cli = FindRedisCli();
        Assert.True(cli is not null, "redis-cli is not installed (Debian package redis-tools; test.sh installs it)");
        var port = Port.ToString();
        var key = NewKey("cli");
        Assert.Equal("PONG", await RunAsync(cli!, "-h", "127.0.0.1", "-p", port, "PING"));
        Assert.Equal("OK", await RunAsync(cli!, "-h", "127.0.0.1", "-p", port, "SET", key, "from-cli"));
        Assert.Equal("from-cli", await RunAsync(cli!, "-h", "127.0.0.1", "-p", port, "GET", key));
        Assert.Equal("from-cli", Encoding.UTF8.GetString((await fixture.Client.Kv.GetAsync(key))!.Value));
    }

    [Fact]
    public async Task RedisCliGetsAnErrorForAValueOverTheBulkLimitInsteadOfAClosedConnection()
    {
        var cli = FindRedisCli();
        Assert.True(cli is not null, "redis-cli is not installed (Debian package redis-tools; test.sh installs it)");
        var key = NewKey("cli-big");
        // 20 MB from stdin, as `redis-cli -x SET key < file`: over the 16 MB bulk limit. The reply comes before the close.
        var reply = await RunAsync(cli!, new byte[20 * 1024 * 1024], "-h", "127.0.0.1", "-p", Port.ToString(), "-x", "SET", key);
        Assert.Contains("ERR Protocol error: invalid bulk length", reply);
        Assert.Null(await fixture.Client.Kv.GetAsync(key));
        // 2 MB (over the pipe's 1 MiB back-pressure threshold, under the bulk limit): the KV value limit answers.
        reply = await RunAsync(cli!, new byte[2 * 1024 * 1024], "-h", "127.0.0.1", "-p", Port.ToString(), "-x", "SET", key);
        Assert.Contains("limit", reply);
        Assert.Null(await fixture.Client.Kv.GetAsync(key));
    }

    [Fact]
    public async Task AClientStillSendingAnOversizedValueReadsTheProtocolError()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", Port);
        var body = new byte[20 * 1024 * 1024];
        var header = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${body.Length}\r\n");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // The whole command is sent before the reply is read, as redis-cli does.
        await socket.SendAsync(header, System.Net.Sockets.SocketFlags.None, timeout.Token);
        await socket.SendAsync(body, System.Net.Sockets.SocketFlags.None, timeout.Token);
        await socket.SendAsync("\r\n"u8.ToArray(), System.Net.Sockets.SocketFlags.None, timeout.Token);
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", await ReceiveAllAsync(socket, timeout.Token));
    }

    [Theory]
    [InlineData("SET \"abc v\r\n")]
    [InlineData("SET 'abc v\r\n")]
    [InlineData("SET \"abc\"def v\r\n")]
    public async Task AnInlineCommandWithUnbalancedQuotesIsAProtocolError(string line)
    {
        Assert.Equal("-ERR Protocol error: unbalanced quotes in request\r\n", await ExchangeRawAsync(line, TimeSpan.FromSeconds(10)));
        Assert.Null(await fixture.Client.Kv.GetAsync("\"abc"));
        Assert.Null(await fixture.Client.Kv.GetAsync("'abc"));
    }

    [Fact]
    public async Task InlineCommandsSplitQuotedArgumentsAsRedisDoes()
    {
        var key = NewKey("inline");
        var replies = await ExchangeRawAsync($"SET \"{key}\" \"two words\\x21\\n\"\r\nSET '{key}:b' 'it\\'s'\r\nQUIT\r\n", TimeSpan.FromSeconds(10));
        Assert.Equal("+OK\r\n+OK\r\n+OK\r\n", replies);
        Assert.Equal("two words!\n", Encoding.UTF8.GetString((await fixture.Client.Kv.GetAsync(key))!.Value));
        Assert.Equal("it's", Encoding.UTF8.GetString((await fixture.Client.Kv.GetAsync(key + ":b"))!.Value));
    }

    [Fact]
    public async Task APipelineOnOneKeyRunsInOrderWithEveryBatchedCommandsReply()
    {
        // Sent in one packet, so the server reads them as one batch: the plain commands on the key travel to its grain
        // together, SET XX and INCR (not batched) split the batch; the other key's commands run beside them.
        var key = NewKey("pipe");
        var other = NewKey("pipe");
        var commands = string.Join("\r\n",
            $"SET {key} a", $"GET {key}", $"SET {other} x", $"SETNX {key} b", $"SET {key} c NX", $"EXISTS {key}", $"DEL {key}",
            $"EXISTS {key}", $"GET {key}", $"UNLINK {key}", $"SETNX {key} d", $"SETEX {key} 100 e", $"GET {other}", $"GET {key}",
            $"SET {key} f XX", $"GET {key}", $"SET {key} 7 PX 100000", $"INCR {key}", $"GET {key}", $"SETEX {key} 0 z", "QUIT") + "\r\n";
        var expected = string.Join("\r\n",
            "+OK", "$1", "a", "+OK", ":0", "$-1", ":1", ":1",
            ":0", "$-1", ":0", ":1", "+OK", "$1", "x", "$1", "e",
            "+OK", "$1", "f", "+OK", ":8", "$1", "8", "-ERR invalid expire time in 'setex' command", "+OK") + "\r\n";
        Assert.Equal(expected, await ExchangeRawAsync(commands, TimeSpan.FromSeconds(30)));
        // Every write took effect once, in order: a(1) del(2) d(3) e(4) f(5) 7(6) 8(7).
        var history = await fixture.Client.Kv.HistoryAsync(key, new HistoryOptions(10));
        Assert.Equal([7L, 6, 5, 4, 3, 2, 1], history.Select(v => v.Version));
        Assert.Equal(["8", "7", "f", "e", "d", null, "a"], history.Select(v => v.Value is null ? null : Encoding.UTF8.GetString(v.Value)));
        Assert.True((await fixture.Client.Kv.GetAsync(key))!.ExpiresAtMs > 0);
    }

    [Fact]
    public async Task APipelineOfOneKeyOnlyAnswersInOrderAroundCommandsThatAreNotBatched()
    {
        // Every command on one key: replies are written as they come, in order, with INCR, SET XX and a failing SETEX
        // (run one by one) between the batched ones.
        var key = NewKey("solo");
        var commands = string.Join("\r\n",
            $"SET {key} 1", $"GET {key}", $"INCR {key}", $"GET {key}", $"SET {key} x XX", $"GET {key}", $"SETEX {key} 0 z",
            $"SETNX {key} y", $"DEL {key}", $"GET {key}", "QUIT") + "\r\n";
        var expected = string.Join("\r\n",
            "+OK", "$1", "1", ":2", "$1", "2", "+OK", "$1", "x", "-ERR invalid expire time in 'setex' command",
            ":0", ":1", "$-1", "+OK") + "\r\n";
        Assert.Equal(expected, await ExchangeRawAsync(commands, TimeSpan.FromSeconds(30)));
        var history = await fixture.Client.Kv.HistoryAsync(key, new HistoryOptions(10));
        Assert.Equal([4L, 3, 2, 1], history.Select(v => v.Version));
        Assert.Equal([null, "x", "2", "1"], history.Select(v => v.Value is null ? null : Encoding.UTF8.GetString(v.Value)));
    }

    /// <summary>
    /// Sends <paramref name="commands"/> on a new connection in one packet (so the server reads them as one batch) and
    /// returns everything it answers until it closes the connection (after a QUIT or a protocol error).
    /// </summary>
    private async Task<string> ExchangeRawAsync(string commands, TimeSpan timeout)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", Port);
        using var cancel = new CancellationTokenSource(timeout);
        await socket.SendAsync(Encoding.ASCII.GetBytes(commands), System.Net.Sockets.SocketFlags.None, cancel.Token);
        return await ReceiveAllAsync(socket, cancel.Token);
    }

    private static async Task<string> ReceiveAllAsync(System.Net.Sockets.Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var received = new StringBuilder();
        int n;
        while ((n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, cancellationToken)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return received.ToString();
    }

    private static string? FindRedisCli()
        => new[] { "/usr/bin/redis-cli", "/usr/local/bin/redis-cli" }.FirstOrDefault(File.Exists);

    private static Task<string> RunAsync(string file, params string[] args) => RunAsync(file, null, args);

    /// <summary>Runs a tool with <paramref name="stdin"/> as its input; returns what it printed (stdout, then stderr).</summary>
    private static async Task<string> RunAsync(string file, byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return ((await output).Trim() + "\n" + (await errors).Trim()).Trim();
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
