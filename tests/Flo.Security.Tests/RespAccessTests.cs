using StackExchange.Redis;

namespace Flo.Security.Tests;

/// <summary>
/// Tokens on RESP: nothing but AUTH, HELLO and QUIT before a token is accepted (<c>-NOAUTH</c>), an unknown token
/// <c>-WRONGPASS</c>, another namespace or a read-only token writing <c>-NOPERM</c>; refused commands change nothing.
/// </summary>
[Trait("Category", "Security")]
[Collection(SecuredCollection.Name)]
public sealed class RespAccessTests(SecuredCluster cluster)
{
    private static string NewKey() => $"r-{Guid.NewGuid():N}";

    [Fact]
    public async Task NothingRunsBeforeAuth()
    {
        await using var resp = await RespConnection.OpenAsync(cluster.RespPort);
        var key = NewKey();
        Assert.Equal("-NOAUTH Authentication required.", await resp.SendAsync("SET", key, "x"));
        Assert.Equal("-NOAUTH Authentication required.", await resp.SendAsync("GET", key));
        Assert.Equal("-NOAUTH Authentication required.", await resp.SendAsync("PING"));
        Assert.StartsWith("-NOAUTH HELLO must be called with the client already authenticated", await resp.SendAsync("HELLO", "2"));
        await NothingAtAsync("default", key);
    }

    [Fact]
    public async Task AnUnknownTokenIsWrongpassAndChangesNothing()
    {
        await using var resp = await RespConnection.OpenAsync(cluster.RespPort);
        var key = NewKey();
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await resp.SendAsync("AUTH", "not-a-token-of-this-cluster"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await resp.SendAsync("AUTH", "default", "still-not-a-token"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await resp.SendAsync("HELLO", "2", "AUTH", "default", "nope"));
        Assert.Equal("-NOAUTH Authentication required.", await resp.SendAsync("SET", key, "x"));
        await NothingAtAsync("default", key);
    }

    [Fact]
    public async Task AnotherNamespaceIsNopermAndChangesNothing()
    {
        await using var resp = await RespConnection.OpenAsync(cluster.RespPort);
        var key = NewKey();
        Assert.Equal("+OK", await resp.SendAsync("AUTH", cluster.BillingWriter));
        // The connection starts in "default", which the billing token does not grant.
        var set = await resp.SendAsync("SET", key, "x");
        Assert.StartsWith("-NOPERM Access denied: 'set' needs write access to namespace 'default'", set);
        Assert.Contains("'billing-writer'", set);
        Assert.StartsWith("-NOPERM Access denied: 'select' needs read access to namespace 'orders'", await resp.SendAsync("SELECT", SecuredCluster.Orders));
        Assert.StartsWith("-NOPERM", await resp.SendAsync("XADD", "events", "*", "f", "v"));
        await NothingAtAsync("default", key);
        // Its own namespace works.
        Assert.Equal("+OK", await resp.SendAsync("SELECT", SecuredCluster.Billing));
        Assert.Equal("+OK", await resp.SendAsync("SET", key, "mine"));
        Assert.Equal("mine", await resp.SendAsync("GET", key));
        await NothingAtAsync("default", key);
    }

    [Fact]
    public async Task AReadOnlyTokenWritingIsNopermAndChangesNothing()
    {
        var key = NewKey();
        await using (var admin = await RespConnection.OpenAsync(cluster.RespPort))
        {
            // HELLO with AUTH signs in too.
            Assert.Contains("redis", await admin.SendAsync("HELLO", "2", "AUTH", "default", cluster.Admin));
            Assert.Equal("+OK", await admin.SendAsync("SELECT", SecuredCluster.Orders));
            Assert.Equal("+OK", await admin.SendAsync("SET", key, "before"));
        }
        await using var resp = await RespConnection.OpenAsync(cluster.RespPort);
        Assert.Equal("+OK", await resp.SendAsync("AUTH", "default", cluster.OrdersReader));
        Assert.Equal("+OK", await resp.SendAsync("SELECT", SecuredCluster.Orders));
        Assert.Equal("before", await resp.SendAsync("GET", key));
        Assert.StartsWith("-NOPERM Access denied: 'set' needs write access to namespace 'orders'", await resp.SendAsync("SET", key, "after"));
        Assert.StartsWith("-NOPERM", await resp.SendAsync("DEL", key));
        Assert.StartsWith("-NOPERM", await resp.SendAsync("INCR", key));
        Assert.Equal("before", await resp.SendAsync("GET", key));
    }

    [Fact]
    public async Task APipelineOfAReadOnlyTokenRunsItsReadsAndRefusesEachWrite()
    {
        // Pipelined commands on one key travel to its grain together (issue 17): each is still checked on its own.
        var key = NewKey();
        await using (var admin = await RespConnection.OpenAsync(cluster.RespPort))
        {
            Assert.Equal("+OK", await admin.SendAsync("AUTH", cluster.Admin));
            Assert.Equal("+OK", await admin.SendAsync("SELECT", SecuredCluster.Orders));
            Assert.Equal("+OK", await admin.SendAsync("SET", key, "before"));
        }
        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { $"127.0.0.1:{cluster.RespPort}" },
            Password = cluster.OrdersReader,
            DefaultDatabase = null,
            AbortOnConnectFail = true,
        });
        var db = redis.GetDatabase();
        await db.ExecuteAsync("SELECT", SecuredCluster.Orders);
        var batch = db.CreateBatch();
        var get1 = batch.ExecuteAsync("GET", key);
        var set = batch.ExecuteAsync("SET", key, "after");
        var get2 = batch.ExecuteAsync("GET", key);
        var del = batch.ExecuteAsync("DEL", key);
        var exists = batch.ExecuteAsync("EXISTS", key);
        batch.Execute();
        Assert.Equal("before", (string?)await get1);
        Assert.StartsWith("NOPERM", (await Assert.ThrowsAsync<RedisServerException>(() => set)).Message);
        Assert.Equal("before", (string?)await get2);
        Assert.StartsWith("NOPERM", (await Assert.ThrowsAsync<RedisServerException>(() => del)).Message);
        Assert.Equal(1, (long)await exists);
        await using var check = await RespConnection.OpenAsync(cluster.RespPort);
        Assert.Equal("+OK", await check.SendAsync("AUTH", cluster.Admin));
        Assert.Equal("+OK", await check.SendAsync("SELECT", SecuredCluster.Orders));
        Assert.Equal("before", await check.SendAsync("GET", key));
    }

    [Fact]
    public async Task ARedisClientWithTheTokenAsPasswordWorks()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { $"127.0.0.1:{cluster.RespPort}" },
            Password = cluster.Admin,
            AbortOnConnectFail = true,
        });
        var db = redis.GetDatabase();
        var key = NewKey();
        Assert.True(await db.StringSetAsync(key, "via se.redis"));
        Assert.Equal("via se.redis", (string?)await db.StringGetAsync(key));
        // A client without a password cannot connect: its handshake is answered NOAUTH.
        var error = await Assert.ThrowsAnyAsync<RedisException>(() => ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { $"127.0.0.1:{cluster.RespPort}" },
            AbortOnConnectFail = true,
            ConnectTimeout = 5_000,
        }));
        Assert.Contains("NOAUTH", error.Message);
    }

    [Fact]
    public async Task RedisCliSignsInWithTheTokenAsItsPassword()
    {
        var key = NewKey();
        Assert.Equal("OK", await RedisCli.RunAsync(cluster.RespPort, "-a", cluster.Admin, "SET", key, "before"));
        // AUTH <user> <token>: the user name is ignored. A read-only token reads, and its write is refused.
        Assert.Equal("before", await RedisCli.RunAsync(cluster.RespPort, "--user", "default", "--pass", cluster.Auditor, "GET", key));
        Assert.StartsWith("NOPERM Access denied: 'set' needs write access to namespace 'default'", await RedisCli.RunAsync(cluster.RespPort, "--user", "default", "--pass", cluster.Auditor, "SET", key, "after"));
        Assert.StartsWith("NOAUTH Authentication required.", await RedisCli.RunAsync(cluster.RespPort, "SET", key, "anonymous"));
        Assert.Contains("WRONGPASS", await RedisCli.RunAsync(cluster.RespPort, "-a", "not-a-token-of-this-cluster", "SET", key, "stranger"));
        Assert.Equal("before", await RedisCli.RunAsync(cluster.RespPort, "-a", cluster.Admin, "GET", key));
    }

    private async Task NothingAtAsync(string ns, string key)
    {
        await using var admin = await cluster.ConnectAsync(cluster.Admin, ns);
        Assert.Null(await admin.Kv.GetAsync(key));
    }
}
