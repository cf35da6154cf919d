using System.Diagnostics;
using System.Text;
using Flo.Storage;
using Flo.Tests.Shared;
using Flo.Testing;
using Xunit.Abstractions;

namespace Flo.Kv.Tests;

/// <summary>A silo killed under a concurrent put load loses no acknowledged put and no version goes backwards.</summary>
[Trait("Category", "Fault")]
public sealed class KvFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    /// <summary>How long a fault test may see no progress before it fails (with diagnostics), whatever it has done so far.</summary>
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ABlockingGetFollowsItsKeyWhenTheOwningSiloLeaves()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions { Silos = 3 });
        await using var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(cluster.Silos[0]));
        // A key living on a silo other than the client's gateway: that silo will leave under the waiting get.
        var (key, leaving) = await cluster.PlaceAwayFromAsync(cluster.Silos[0], async (name, grains) =>
        {
            var grain = grains.GetGrain<IKvKeyGrain>(KvKeys.GrainKey("default", name));
            await grain.Get();
            return grain;
        });

        var waiting = client.Kv.GetAsync(key, new GetOptions(BlockMs: 60_000));
        // The blocking get must be parked in the grain before its silo leaves (a request arriving during the leave can
        // be lost, and then only its response timeout ends it). A plain read sent after it on the same path returns
        // after the grain received the blocking one: no fixed sleep that a loaded machine could outlast.
        Assert.Null(await client.Kv.GetAsync(key));
        await Task.Delay(100);
        var stopping = Stopwatch.StartNew();
        await cluster.Cluster.StopSiloAsync(leaving);
        // The waiting get did not hold the key's deactivation (that would take the 30 s deactivation timeout).
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {stopping.Elapsed}");
        Assert.False(waiting.IsCompleted, $"the get ended early: {waiting.Status} {waiting.Exception?.GetBaseException()}");
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();

        await client.Kv.PutAsync(key, Encoding.UTF8.GetBytes("moved"));
        // The get asks again wherever the key lives now; its grain wait is at most 10 s.
        var entry = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("moved", Encoding.UTF8.GetString(entry!.Value));
    }

    [Fact]
    public async Task EveryAcknowledgedPutSurvivesASiloKill()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 3,
            Storage = FloStorageProvider.Postgres,
            ConnectionString = await postgres.CreateDatabaseAsync(),
        });
        await using var client = await cluster.ConnectAsync();

        const int writers = 8, keysPerWriter = 4, beforeKill = 300, afterKill = 150;
        var acked = new (long Version, string Value)[writers * keysPerWriter];
        var attempted = new List<string>[writers * keysPerWriter];
        for (var i = 0; i < attempted.Length; i++)
        {
            attempted[i] = [];
        }
        var keyNames = Enumerable.Range(0, acked.Length).Select(i => $"fault:{i}:{Guid.NewGuid():N}").ToArray();
        var errors = 0;
        var errorKinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var progress = new ProgressWatchdog("acknowledged puts", StallLimit,
            () => Task.FromResult($"errors {errors}: {string.Join("; ", errorKinds.Select(k => $"{k.Value} x {k.Key}"))}; active silos {string.Join(", ", cluster.ActiveSilos.Select(s => s.Name))}"),
            output.WriteLine);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(progress.Stalled);
        var load = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var k = w * keysPerWriter + n % keysPerWriter;
                var value = $"w{w}-n{n}";
                lock (attempted[k])
                {
                    attempted[k].Add(value);
                }
                try
                {
                    var version = await client.Kv.PutAsync(keyNames[k], Encoding.UTF8.GetBytes(value));
                    Assert.True(version > acked[k].Version, $"version went backwards on {keyNames[k]}: {version} after {acked[k].Version}");
                    acked[k] = (version, value);
                    progress.Advance();
                }
                catch (Exception e) when (e is FloException or OrleansException or TimeoutException or ObjectDisposedException && e is not InvalidArgumentException)
                {
                    // Not acknowledged: it may or may not have landed (checked below against what was attempted).
                    // ObjectDisposedException: the in-process silo's storage was torn down under the call by the kill.
                    Interlocked.Increment(ref errors);
                    errorKinds.AddOrUpdate($"{e.GetType().Name}: {e.Message[..Math.Min(120, e.Message.Length)]}", 1, (_, c) => c + 1);
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await progress.UntilAsync(() => progress.Count >= beforeKill, $"{beforeKill} puts before the kill");
        var killing = Stopwatch.StartNew();
        await progress.WaitAsync(cluster.KillSiloAsync(cluster.Silos[1]), "the others to declare the killed silo dead");
        output.WriteLine($"killed {cluster.Silos[1].Name} at {progress.Count} puts; the others agreed in {killing.Elapsed.TotalSeconds:0.0} s");
        // Carry on until the survivors have taken enough puts, the killed silo's keys among them.
        var atKill = progress.Count;
        await progress.UntilAsync(() => progress.Count >= atKill + afterKill, $"{afterKill} puts after the kill");
        await stop.CancelAsync();
        await progress.WaitAsync(Task.WhenAll(load), "the writers to finish their last put");
        output.WriteLine($"{progress.Count} puts acknowledged, {errors} failed");

        for (var k = 0; k < acked.Length; k++)
        {
            var entry = await client.Kv.GetAsync(keyNames[k]);
            Assert.NotNull(entry);
            Assert.True(entry.Version >= acked[k].Version, $"{keyNames[k]}: version {entry.Version} is older than the acknowledged {acked[k].Version}");
            var value = Encoding.UTF8.GetString(entry.Value);
            if (entry.Version == acked[k].Version)
            {
                Assert.Equal(acked[k].Value, value);
            }
            else
            {
                // A put whose answer was lost may have landed: it must be one that was attempted after the last ack.
                var tried = attempted[k];
                Assert.Contains(value, tried.Skip(tried.IndexOf(acked[k].Value) + 1));
            }
        }
    }
}
