using Flo.Schedules;
using Flo.Storage;
using Flo.Tests.Shared;
using Xunit.Abstractions;

namespace Flo.Actions.Tests;

/// <summary>Schedules on three silos (PostgreSQL) while one is killed: every due time yields exactly one run.</summary>
[Trait("Category", "Fault")]
public sealed class ScheduleFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task EveryDueTimeYieldsExactlyOneRunWhenASiloIsKilled()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 3,
            Storage = FloStorageProvider.Postgres,
            ConnectionString = await postgres.CreateDatabaseAsync(),
        });
        await using var client = await cluster.ConnectAsync();
        const string action = "scheduled-work";
        await client.Action.RegisterAsync(action);
        await using var worker = client.NewActionWorker(new ActionWorkerOptions(Concurrency: 8));
        worker.Action(action, _ => Task.FromResult(Array.Empty<byte>()));
        await worker.StartAsync();
        // Created from the other silos (placement prefers the caller's silo, not always): the victim is the silo other
        // than the client's gateway that hosts most of them.
        var schedules = new List<ScheduleInfo>();
        for (var i = 0; i < 8; i++)
        {
            var local = new FloClient(PlatformTestCluster.GrainFactory(cluster.Silos[1 + i % 2]));
            schedules.Add(await local.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(1), new ScheduleOptions(Args: [(byte)i])));
        }
        var hosts = new List<Orleans.TestingHost.SiloHandle?>();
        foreach (var s in schedules)
        {
            hosts.Add(await cluster.HostOfAsync(client.Grains.GetGrain<IScheduleGrain>(ScheduleLimits.Key("default", s.Id))));
        }
        var victim = cluster.Silos.Skip(1).OrderByDescending(silo => hosts.Count(h => h == silo)).First();
        output.WriteLine($"killing {victim.Name}, host of {hosts.Count(h => h == victim)} of {schedules.Count} schedules");
        Assert.Contains(victim, hosts);

        await Task.Delay(4_000);
        await cluster.KillSiloAsync(victim);
        // Schedules that lived on the killed silo come back at their next call (here) or their reminder (within a minute).
        await client.Schedule.ListAsync();
        await Task.Delay(4_000);
        foreach (var s in schedules)
        {
            await client.Schedule.DisableAsync(s.Id);
        }

        var runsByKey = new Dictionary<string, List<string>>();
        string? cursor = null;
        do
        {
            var page = await client.Action.ListRunsAsync(new RunFilter(Action: action), new RunListOptions(Limit: 200, Cursor: cursor));
            foreach (var summary in page.Runs)
            {
                var run = await client.Action.GetRunAsync(summary.RunId);
                var key = run.IdempotencyKey ?? "(none)";
                runsByKey.TryAdd(key, []);
                runsByKey[key].Add(run.RunId);
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.All(runsByKey, kv => Assert.Single(kv.Value));
        foreach (var s in schedules)
        {
            var info = await client.Schedule.GetAsync(s.Id);
            var dueTimes = runsByKey.Keys.Where(k => k.StartsWith($"schedule:{s.Id}:", StringComparison.Ordinal))
                .Select(k => long.Parse(k[(k.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
            output.WriteLine($"{s.Id}: fired {info.Fired}, missed {info.Missed}, runs {dueTimes.Count}");
            Assert.Equal(info.Fired, dueTimes.Count);
            // Every due time from the first to the last is accounted for: run, or collapsed into a later run.
            var expected = (info.LastRunAtMs - s.CreatedAtMs) / 1_000;
            Assert.Equal(expected, info.Fired + info.Missed);
            Assert.All(dueTimes, d => Assert.Equal(0, (d - s.CreatedAtMs) % 1_000));
            Assert.True(info.Fired >= 4, $"schedule {s.Id} fired only {info.Fired} times");
        }
    }
}
