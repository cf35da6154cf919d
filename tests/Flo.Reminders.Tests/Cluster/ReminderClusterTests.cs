using Flo.Reminders.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Flo.Reminders.Tests.Cluster;

/// <summary>
/// Orleans reminders stored by <see cref="SqliteReminderTable"/>, in in-process TestClusters whose silos share one
/// SQLite file: ticks, a silo stopping, a whole cluster restarting, unregistering, and a cron schedule on a heartbeat.
/// </summary>
[Trait("Category", "Reminders")]
[Collection(nameof(ReminderClusterTests))] // one cluster at a time on a 2-core machine
public sealed class ReminderClusterTests : IDisposable
{
    private const string DirectoryKey = "Flo:Tests:RemindersDirectory";
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    /// <summary>Configures each silo of the test clusters.</summary>
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var directory = siloBuilder.Configuration[DirectoryKey] ?? throw new InvalidOperationException($"{DirectoryKey} is not set.");
            siloBuilder.UseSqliteReminderService(options => options.DataDirectory = directory);
            // Reminders may tick every second in these tests (Orleans' default floor is 1 min; below it only warns).
            siloBuilder.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = Period);
            siloBuilder.ConfigureServices(services => services.TryAddSingleton(TimeProvider.System));
        }
    }

    private async Task<TestCluster> DeployAsync(short silos, string serviceId)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[DirectoryKey] = directory.Path;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task AReminderFiresRepeatedlyMovesToAnotherSiloWhenItsSiloStopsAndStopsWhenUnregistered()
    {
        await using var cluster = await DeployAsync(2, NewKey("service"));
        var secondary = cluster.SecondarySilos[0];

        // A grain activated on the secondary silo (placement is not ours to choose: try keys until one lands there).
        string? key = null;
        for (var i = 0; i < 40 && key is null; i++)
        {
            var candidate = NewKey("moving");
            if (await cluster.GrainFactory.GetGrain<IReminderTestGrain>(candidate).Silo() == secondary.SiloAddress)
            {
                key = candidate;
            }
        }
        Assert.NotNull(key);
        var grain = cluster.GrainFactory.GetGrain<IReminderTestGrain>(key);

        await grain.Start("tick", TimeSpan.Zero, Period);
        Assert.Equal(["tick"], await grain.Names());
        var ticks = await ReminderLog.WaitAsync(key, t => t.Count >= 3, Budget, "three ticks");
        Assert.All(ticks, t => Assert.Equal(Period, t.Status.Period));
        Assert.Equal(secondary.SiloAddress, ticks[0].Silo);
        Assert.True(ticks.Zip(ticks.Skip(1)).All(p => p.Second.Status.CurrentTickTime > p.First.Status.CurrentTickTime));

        // The silo hosting the grain leaves: the reminder, in the table, keeps ticking; the grain is reactivated on the primary.
        await cluster.StopSiloAsync(secondary);
        var stoppedAt = DateTime.UtcNow;
        var moved = await ReminderLog.WaitAsync(key, t => t.Count(x => x.ReceivedUtc > stoppedAt && x.Silo == cluster.Primary!.SiloAddress) >= 2, Budget, "two ticks on the primary");
        Assert.Equal(2, moved.Select(t => t.Activation).Distinct().Count());

        // Unregistered: no tick scheduled after that. A control reminder ticking twice shows that time went on.
        Assert.True(await grain.Stop("tick"));
        var stoppedTickingAt = DateTime.UtcNow;
        Assert.False(await grain.Stop("tick"));
        Assert.Empty(await grain.Names());
        var control = NewKey("control");
        await cluster.GrainFactory.GetGrain<IReminderTestGrain>(control).Start("control", TimeSpan.Zero, Period);
        await ReminderLog.WaitAsync(control, t => t.Count(x => x.Status.CurrentTickTime > stoppedTickingAt + Period) >= 2, Budget, "two control ticks");
        Assert.DoesNotContain(ReminderLog.Of(key), t => t.Status.CurrentTickTime > stoppedTickingAt);
        await cluster.GrainFactory.GetGrain<IReminderTestGrain>(control).Stop("control");
    }

    [Fact]
    public async Task AReminderSurvivesARestartOfTheWholeCluster()
    {
        var serviceId = NewKey("service");
        var key = NewKey("durable");
        await using (var first = await DeployAsync(1, serviceId))
        {
            await first.GrainFactory.GetGrain<IReminderTestGrain>(key).Start("durable", TimeSpan.Zero, Period);
            await ReminderLog.WaitAsync(key, t => t.Count >= 1, Budget, "a first tick");
            await first.StopAllSilosAsync();
        }
        var restartedAt = DateTime.UtcNow;

        // A new cluster of the same service on the same file: nobody calls the grain, the table brings the reminder back.
        await using var second = await DeployAsync(1, serviceId);
        var ticks = await ReminderLog.WaitAsync(key, t => t.Count(x => x.ReceivedUtc > restartedAt) >= 2, Budget, "ticks after the restart");
        Assert.All(ticks.Where(t => t.ReceivedUtc > restartedAt), t => Assert.Equal(second.Primary!.SiloAddress, t.Silo));
        Assert.True(await second.GrainFactory.GetGrain<IReminderTestGrain>(key).Stop("durable"));
    }

    [Fact]
    public async Task ACronScheduleFiresThroughAHeartbeatReminder()
    {
        await using var cluster = await DeployAsync(1, NewKey("service"));
        var key = NewKey("cron");
        await cluster.GrainFactory.GetGrain<ICronTestGrain>(key).Start("*/2 * * * * *", MissedTicks.FireOnce);
        var fires = await ReminderLog.WaitAsync(key, t => t.Count >= 2, Budget, "two cron fires");
        // Each fire is for an even second, a distinct one, in order.
        Assert.All(fires, f => Assert.Equal(0, f.Status.CurrentTickTime.Second % 2));
        Assert.All(fires, f => Assert.Equal(0, f.Status.CurrentTickTime.Millisecond));
        Assert.True(fires.Zip(fires.Skip(1)).All(p => p.Second.Status.CurrentTickTime > p.First.Status.CurrentTickTime));
    }
}
