using System.Diagnostics;
using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Cluster;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Reminders;

/// <summary>Durable reminders: delivery, ownership after a kill, full restarts and the missed-tick policy.</summary>
[Trait("Category", "Reminders")]
public sealed class ReminderTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task APeriodReminderFiresRepeatedlyAndActivatesTheGrainAgain()
    {
        await using var cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 1);
        var key = NewKey("period");
        var grain = cluster.GrainFactory.GetGrain<IReminderGrain>(key);
        await grain.Start("tick", 100, 200, MissedTickPolicy.FireOnce);
        Assert.Equal(["tick"], await grain.Names());
        await WaitUntilAsync(() => ReminderLog.Of(key).Count >= 1, "a first tick");
        var firstActivation = ReminderLog.Of(key)[0].Activation;
        await grain.Sleep();
        await WaitUntilAsync(() => ReminderLog.Of(key).Count >= 4, "more ticks");
        var ticks = ReminderLog.Of(key);
        Assert.All(ticks, t => Assert.Equal("tick", t.Name));
        Assert.All(ticks, t => Assert.Equal(TimeSpan.FromMilliseconds(200), t.Status.Period));
        // The grain deactivated; later ticks activated it again.
        Assert.Contains(ticks, t => t.Activation != firstActivation);
        Assert.True(ticks.Zip(ticks.Skip(1)).All(p => p.Second.Status.CurrentTickTime > p.First.Status.CurrentTickTime));

        Assert.True(await grain.Stop("tick"));
        Assert.False(await grain.Stop("tick"));
        Assert.Empty(await grain.Names());
        await Task.Delay(300);
        var count = ReminderLog.Of(key).Count;
        await Task.Delay(600);
        Assert.Equal(count, ReminderLog.Of(key).Count);
    }

    [Fact]
    public async Task ACronReminderFiresAndABadExpressionIsRejected()
    {
        await using var cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 1);
        var key = NewKey("cron");
        var grain = cluster.GrainFactory.GetGrain<IReminderGrain>(key);
        await grain.StartCron("every-second", "* * * * * *");
        await WaitUntilAsync(() => ReminderLog.Of(key).Count >= 2, "two cron ticks");
        Assert.All(ReminderLog.Of(key), t => Assert.Equal("* * * * * *", t.Status.Cron));
        Assert.All(ReminderLog.Of(key), t => Assert.Equal(0, t.Status.CurrentTickTime.Millisecond));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.StartCron("bad", "every tuesday"));
        Assert.Equal(["every-second"], await grain.Names());
    }

    [Fact]
    public async Task AReminderFiresAfterTheSiloThatOwnedItIsKilled()
    {
        await using var cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 3);
        var victim = cluster.Silos[2];
        var view = victim.Membership.CurrentView;
        var key = Enumerable.Range(0, 1000).Select(i => NewKey($"owned{i}"))
            .First(k => view.OwnerOf(new GrainId("reminder", k))!.Equals(victim.Address));
        await cluster.GrainFactory.GetGrain<IReminderGrain>(key).Start("survive", 100, 200, MissedTickPolicy.FireOnce);
        await WaitUntilAsync(() => ReminderLog.Of(key).Any(t => t.Silo == victim.Name), "a tick on the owner");

        await cluster.KillSiloAsync(victim);
        var killedAt = DateTimeOffset.UtcNow;
        await WaitUntilAsync(() => ReminderLog.Of(key).Any(t => t.At > killedAt && t.Silo != victim.Name), "a tick on another silo");
    }

    [Fact]
    public async Task RemindersSurviveAFullRestartAndMissedTicksFollowTheirPolicy()
    {
        var once = NewKey("once");
        var skip = NewKey("skip");
        await using (var first = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 1))
        {
            await first.GrainFactory.GetGrain<IReminderGrain>(once).Start("r", 100, 200, MissedTickPolicy.FireOnce);
            await first.GrainFactory.GetGrain<IReminderGrain>(skip).Start("r", 100, 200, MissedTickPolicy.Skip);
            await WaitUntilAsync(() => ReminderLog.Of(once).Count >= 1 && ReminderLog.Of(skip).Count >= 1, "ticks before the restart");
        }
        var down = DateTimeOffset.UtcNow;
        // The whole cluster is down for several periods.
        await Task.Delay(1500);
        await using var second = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 1);
        await WaitUntilAsync(() => ReminderLog.Of(once).Count(t => t.At > down) >= 3 && ReminderLog.Of(skip).Count(t => t.At > down) >= 3, "ticks after the restart");

        var onceAfter = ReminderLog.Of(once).Where(t => t.At > down).ToList();
        var skipAfter = ReminderLog.Of(skip).Where(t => t.At > down).ToList();
        // FireOnce: the first tick after the restart is the catch-up of the tick due while the cluster was down, and
        // says how many more were missed; then the schedule goes on.
        Assert.InRange(onceAfter[0].Status.MissedTicks, 3, 50);
        Assert.True(onceAfter[0].Status.CurrentTickTime < down.AddMilliseconds(400));
        Assert.True(onceAfter.Skip(1).All(t => t.Status.CurrentTickTime > onceAfter[0].Status.CurrentTickTime));
        // Skip: nothing is delivered for a late tick (by construction every delivered tick was on time), and the
        // first delivered one is a regular tick after the restart.
        Assert.All(skipAfter, t => Assert.Equal(0, t.Status.MissedTicks));
        Assert.True(skipAfter[0].Status.CurrentTickTime > down.AddMilliseconds(1400));
    }

    [Fact]
    public async Task OnTheEmbeddedSqliteDefaultARemindersSurvivesASiloRestart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "flo-reminders-" + Guid.NewGuid().ToString("N"));
        try
        {
            TestClusterOptions Options()
            {
                var o = new TestClusterOptions { Storage = StorageProviderKind.Sqlite, DataDirectory = dir };
                o.GrainAssemblies.Add(typeof(ReminderGrain).Assembly);
                return o;
            }
            var key = NewKey("sqlite");
            await using (var first = await TestCluster.DeployAsync(Options()))
            {
                await first.GrainFactory.GetGrain<IReminderGrain>(key).Start("r", 0, 200, MissedTickPolicy.FireOnce);
                await WaitUntilAsync(() => ReminderLog.Of(key).Count >= 1, "a tick");
            }
            var restarted = DateTimeOffset.UtcNow;
            await using var second = await TestCluster.DeployAsync(Options());
            await WaitUntilAsync(() => ReminderLog.Of(key).Any(t => t.At > restarted), "a tick after the restart");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Fact]
    public async Task ARemindableGrainRejectsAPeriodBelowTheMinimum()
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(ReminderGrain).Assembly);
        options.SiloConfiguration["Cluster:Reminders:MinimumPeriod"] = "00:01:00";
        await using var cluster = await TestCluster.DeployAsync(options);
        var grain = cluster.GrainFactory.GetGrain<IReminderGrain>(NewKey("min"));
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.Start("fast", 0, 1000, MissedTickPolicy.FireOnce));
        Assert.Contains("MinimumPeriod", error.Message);
        Assert.Empty(await grain.Names());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"timed out waiting for {what}");
            await Task.Delay(25);
        }
    }
}
