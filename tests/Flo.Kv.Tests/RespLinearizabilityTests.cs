using System.Collections.Concurrent;
using System.Diagnostics;
using Flo.Kv.Tests.Linearizability;
using StackExchange.Redis;

using Flo.Tests.Shared;

namespace Flo.Kv.Tests;

/// <summary>
/// Single-key reads and writes over RESP are linearizable: concurrent clients (several connections, several callers per
/// connection, some commands pipelined on one key) SET unique values and GET them, and each key's history is checked.
/// </summary>
[Trait("Category", "Kv")]
public sealed class RespLinearizabilityTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>
{
    private const int Connections = 4;
    private const int ProcessesPerConnection = 2;
    private const int Steps = 16;
    private const int Keys = 4;

    [Fact]
    public async Task ConcurrentSetsAndGetsOnEachKeyAreLinearizable()
    {
        var endpoint = $"127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).RespPort}";
        var prefix = $"lin:{Guid.NewGuid():N}";
        var connections = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ =>
            ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { endpoint }, AbortOnConnectFail = true, ConnectTimeout = 10_000, SyncTimeout = 60_000, AsyncTimeout = 60_000 })));
        try
        {
            var history = new ConcurrentDictionary<string, ConcurrentBag<RegisterOp>>();
            await Task.WhenAll(Enumerable.Range(0, Connections * ProcessesPerConnection).Select(p => Task.Run(() =>
                RunProcessAsync(p, connections[p % Connections].GetDatabase(), prefix, history))));
            Assert.Equal(Keys, history.Count);
            foreach (var (key, ops) in history)
            {
                Assert.True(RegisterHistory.IsLinearizable([.. ops]), $"{key}: not linearizable:\n{string.Join('\n', ops.OrderBy(o => o.Invoked))}");
            }
        }
        finally
        {
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public void TheCheckerRejectsAReadOfAValueWrittenAfterTheReadReturned()
    {
        // p0 reads "a" and returns at 10; p1 writes "a" only from 20: no order explains that read.
        Assert.False(RegisterHistory.IsLinearizable([new(0, false, "a", 0, 10), new(1, true, "a", 20, 30)]));
        // A stale read: "b" replaced "a" before the read was sent.
        Assert.False(RegisterHistory.IsLinearizable([new(0, true, "a", 0, 10), new(0, true, "b", 11, 20), new(1, false, "a", 21, 30)]));
        // Overlapping write and read: either order is fine.
        Assert.True(RegisterHistory.IsLinearizable([new(0, true, "a", 0, 10), new(1, false, null, 5, 15)]));
        Assert.True(RegisterHistory.IsLinearizable([new(0, true, "a", 0, 10), new(1, false, "a", 5, 15)]));
    }

    /// <summary>One client process: each step a SET or GET, or a pipelined SET, GET, SET on one key.</summary>
    private static async Task RunProcessAsync(int process, IDatabase db, string prefix, ConcurrentDictionary<string, ConcurrentBag<RegisterOp>> history)
    {
        var random = new Random(process);
        var written = 0;
        for (var step = 0; step < Steps; step++)
        {
            var key = $"{prefix}:{(process + step) % Keys}";
            var ops = history.GetOrAdd(key, _ => []);
            if (step % 3 == 0)
            {
                var batch = db.CreateBatch();
                var (a, b) = ($"p{process}-{written++}", $"p{process}-{written++}");
                var invoked = Stopwatch.GetTimestamp();
                var set1 = Timed(batch.StringSetAsync(key, a));
                var get = Timed(batch.StringGetAsync(key));
                var set2 = Timed(batch.StringSetAsync(key, b));
                batch.Execute();
                var (ok1, at1) = await set1;
                var (value, at2) = await get;
                var (ok2, at3) = await set2;
                Assert.True(ok1 && ok2);
                ops.Add(new(process, true, a, invoked, at1));
                ops.Add(new(process, false, (string?)value, invoked, at2));
                ops.Add(new(process, true, b, invoked, at3));
            }
            else if (random.Next(2) == 0)
            {
                var value = $"p{process}-{written++}";
                var invoked = Stopwatch.GetTimestamp();
                Assert.True(await db.StringSetAsync(key, value));
                ops.Add(new(process, true, value, invoked, Stopwatch.GetTimestamp()));
            }
            else
            {
                var invoked = Stopwatch.GetTimestamp();
                var value = await db.StringGetAsync(key);
                ops.Add(new(process, false, (string?)value, invoked, Stopwatch.GetTimestamp()));
            }
        }
    }

    private static async Task<(T Value, long At)> Timed<T>(Task<T> task)
    {
        var value = await task;
        return (value, Stopwatch.GetTimestamp());
    }
}
