using System.Collections.Concurrent;
using System.Text;
using Flo.Schedules;
using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>Schedules: interval, once, cron, dedup, enable/disable/delete, missed runs, exactly one run per due time.</summary>
public sealed class ScheduleTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FloClient Client => fixture.Client;

    private static string NewAction() => $"sched-{Guid.NewGuid():N}";

    [Fact]
    public async Task AnIntervalScheduleRunsItsActionEveryIntervalWithItsArgs()
    {
        var action = NewAction();
        var runs = new ConcurrentQueue<(string Text, long At, string? Key)>();
        await using var worker = Client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            runs.Enqueue((ctx.Text, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ctx.IdempotencyKey));
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        var created = await Client.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(1), new ScheduleOptions(Args: "tick"u8.ToArray(), Description: "every second"));
        Assert.True(created.Enabled);
        // The first run one interval after creation.
        Assert.InRange(created.NextRunAtMs - created.CreatedAtMs, 999, 1_001);
        await UntilAsync(() => runs.Count >= 3, "three runs");
        Assert.All(runs, r => Assert.Equal("tick", r.Text));
        // The handler sees the due time it serves: schedule:{id}:{due}, due times one interval apart from the first.
        var dues = runs.Select(r =>
        {
            Assert.StartsWith($"schedule:{created.Id}:", r.Key);
            return long.Parse(r.Key![$"schedule:{created.Id}:".Length..]);
        }).ToList();
        Assert.True(dues.Min() >= created.NextRunAtMs, $"first due {dues.Min()} before the schedule's first {created.NextRunAtMs}");
        Assert.All(dues, d => Assert.Equal(0, (d - created.NextRunAtMs) % 1_000));
        // Runs are invoked ahead of their due times but never start before them.
        Assert.All(runs, r => Assert.True(r.At >= long.Parse(r.Key![$"schedule:{created.Id}:".Length..]), $"{r.Key} started at {r.At}"));
        Assert.Equal(dues.Count, dues.Distinct().Count());
        var info = await Client.Schedule.GetAsync(created.Id);
        Assert.True(info.Fired >= 3);
        Assert.NotNull(info.LastRunId);
        Assert.Equal(RunStatus.Completed, (await Client.Action.WaitAsync(info.LastRunId!, Patience)).Status);
        await Client.Schedule.DeleteAsync(created.Id);
        await Assert.ThrowsAsync<ScheduleNotFoundException>(() => Client.Schedule.GetAsync(created.Id));
        var after = runs.Count;
        await Task.Delay(2_500);
        Assert.InRange(runs.Count, after, after + 1);
    }

    [Fact]
    public async Task CreatingTheSameScheduleTwiceReturnsTheFirst()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action);
        var first = await Client.Schedule.CronAsync(action, "0 9 * * *", "Europe/Berlin", new ScheduleOptions(Args: "a"u8.ToArray()));
        var again = await Client.Schedule.CronAsync(action, "0 9 * * *", "Europe/Berlin", new ScheduleOptions(Args: "a"u8.ToArray()));
        var other = await Client.Schedule.CronAsync(action, "0 9 * * *", "Europe/Berlin", new ScheduleOptions(Args: "b"u8.ToArray()));
        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        // 09:00 in Berlin is 07:00 or 08:00 UTC.
        var next = DateTimeOffset.FromUnixTimeMilliseconds(first.NextRunAtMs);
        Assert.Contains(next.UtcDateTime.Hour, new[] { 7, 8 });
        Assert.Equal(0, next.Minute);
        var listed = await Client.Schedule.ListAsync();
        Assert.Contains(listed, s => s.Id == first.Id);
        Assert.Contains(listed, s => s.Id == other.Id);
    }

    [Fact]
    public async Task AOnceScheduleFiresOnceAndIsThenDisabled()
    {
        var action = NewAction();
        var ran = 0;
        await using var worker = Client.NewActionWorker();
        worker.Action(action, _ =>
        {
            Interlocked.Increment(ref ran);
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        var schedule = await Client.Schedule.OnceAsync(action, DateTimeOffset.UtcNow.AddMilliseconds(800));
        await UntilAsync(() => Volatile.Read(ref ran) == 1, "the once run");
        var info = await UntilScheduleAsync(schedule.Id, s => !s.Enabled);
        Assert.Equal((1L, 0L), (info.Fired, info.NextRunAtMs));
        await Task.Delay(1_500);
        Assert.Equal(1, Volatile.Read(ref ran));
    }

    [Fact]
    public async Task ACronScheduleWithSecondsFires()
    {
        var action = NewAction();
        var ran = 0;
        await using var worker = Client.NewActionWorker();
        worker.Action(action, _ =>
        {
            Interlocked.Increment(ref ran);
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        await Client.Schedule.CronAsync(action, "*/2 * * * * *");
        await UntilAsync(() => Volatile.Read(ref ran) >= 2, "two cron runs");
    }

    [Fact]
    public async Task DisablingStopsRunsAndEnablingRecomputesFromNow()
    {
        var action = NewAction();
        var ran = 0;
        await using var worker = Client.NewActionWorker();
        worker.Action(action, _ =>
        {
            Interlocked.Increment(ref ran);
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        var schedule = await Client.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(1));
        await UntilAsync(() => Volatile.Read(ref ran) >= 1, "a first run");
        var disabled = await Client.Schedule.DisableAsync(schedule.Id);
        Assert.Equal((false, 0L), (disabled.Enabled, disabled.NextRunAtMs));
        var atDisable = Volatile.Read(ref ran);
        await Task.Delay(2_500);
        Assert.InRange(Volatile.Read(ref ran), atDisable, atDisable + 1);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var enabled = await Client.Schedule.EnableAsync(schedule.Id);
        Assert.True(enabled.Enabled);
        Assert.InRange(enabled.NextRunAtMs, before + 900, before + 2_000);
        var stats = await Client.Schedule.StatsAsync();
        Assert.True(stats.Enabled >= 1 && stats.Total >= 1);
    }

    [Fact]
    public async Task BadSchedulesAreRefusedAndNothingIsStored()
    {
        var action = NewAction();
        await Assert.ThrowsAsync<ActionNotFoundException>(() => Client.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(5)));
        await Client.Action.RegisterAsync(action);
        var bad = await Assert.ThrowsAsync<ScheduleArgumentException>(() => Client.Schedule.CronAsync(action, "61 * * * *"));
        Assert.Contains("61 * * * *", bad.Message);
        await Assert.ThrowsAsync<ScheduleArgumentException>(() => Client.Schedule.CronAsync(action, "0 9 * * *", "Mars/Olympus"));
        await Assert.ThrowsAsync<ScheduleArgumentException>(() => Client.Schedule.IntervalAsync(action, TimeSpan.FromMilliseconds(10)));
        await Assert.ThrowsAsync<ScheduleArgumentException>(() => Client.Schedule.GetAsync("nope"));
        await Assert.ThrowsAsync<ScheduleNotFoundException>(() => Client.Schedule.DisableAsync(new string('a', 32)));
        Assert.DoesNotContain(await Client.Schedule.ListAsync(), s => s.Definition.Action == action);
    }

    [Fact]
    public async Task MissedRunsCollapseIntoOneAreSkippedOrEachRunsPerSchedule()
    {
        // Downtime is simulated by moving the silos' clock forward: every due time in between is missed.
        await using var cluster = await ShiftedClockCluster.DeployAsync();
        var (clock, client) = (cluster.Clock, cluster.Client);
        var collapse = NewAction();
        var skip = NewAction();
        var each = NewAction();
        var runs = new ConcurrentDictionary<string, int>();
        var caughtUp = new ConcurrentQueue<string?>();
        await using var worker = client.NewActionWorker();
        foreach (var a in new[] { collapse, skip, each })
        {
            worker.Action(a, ctx =>
            {
                runs.AddOrUpdate(ctx.Action, 1, (_, n) => n + 1);
                if (ctx.Action == each)
                {
                    caughtUp.Enqueue(ctx.IdempotencyKey);
                }
                return Task.FromResult(Array.Empty<byte>());
            });
        }
        await worker.StartAsync();
        var collapsing = await client.Schedule.IntervalAsync(collapse, TimeSpan.FromSeconds(30));
        var skipping = await client.Schedule.IntervalAsync(skip, TimeSpan.FromSeconds(30), new ScheduleOptions(MissedRuns: MissedRuns.Skip));
        var catching = await client.Schedule.IntervalAsync(each, TimeSpan.FromSeconds(30), new ScheduleOptions(MissedRuns: MissedRuns.RunEach));
        // Ten due times pass; the latest is 20 s old when found, later than a schedule that was up would find it.
        clock.Advance(10 * 30_000 + 20_000);
        var collapsed = await UntilScheduleAsync(client, collapsing.Id, s => s.Fired == 1);
        var skipped = await UntilScheduleAsync(client, skipping.Id, s => s.Missed == 10);
        Assert.Equal(9, collapsed.Missed);
        Assert.Equal(0, skipped.Fired);
        await UntilAsync(() => runs.GetValueOrDefault(collapse) == 1, "the collapsed run");
        Assert.Equal(0, runs.GetValueOrDefault(skip));

        // Run each: all ten, oldest first, one after another (each invoked once the one before started), none missed.
        var ran = await UntilScheduleAsync(client, catching.Id, s => s.Fired >= 10);
        Assert.Equal(0, ran.Missed);
        await UntilAsync(() => caughtUp.Count >= 10, "the ten runs of the schedule catching up");
        var expected = Enumerable.Range(0, 10).Select(k => $"schedule:{catching.Id}:{catching.NextRunAtMs + k * 30_000L}");
        Assert.Equal(expected, caughtUp.Take(10));
    }

    [Fact]
    public async Task ADueTimeFoundLateWhoseFireFailsIsFiredOnceItCanNotDropped()
    {
        // Found late (the clock jumps two intervals and 5 s): the latest due time was not stored ahead, so the schedule
        // stores it before the invoke. That invoke fails (another run holds its key), and the retry after the reload
        // must still know the due time: it runs once the key is free, the one before it counted missed.
        await using var cluster = await ShiftedClockCluster.DeployAsync();
        var (clock, client) = (cluster.Clock, cluster.Client);
        var action = NewAction();
        await client.Action.RegisterAsync(action, new ActionRegisterOptions(RetentionMs: 1_000));
        using var attempts = new ActionMeasurements("flo.schedule.lateness", action);
        var schedule = await client.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(30), new ScheduleOptions(Args: "mine"u8.ToArray()));
        var late = schedule.NextRunAtMs + 30_000;
        var key = $"schedule:{schedule.Id}:{late}";
        await client.Action.InvokeAsync(action, "other"u8.ToArray(), new ActionInvokeOptions(IdempotencyKey: key));
        clock.Advance(2 * 30_000 + 5_000);
        // Asked again after the first failure: the due time survived the reload.
        await UntilAsync(() => attempts.Count >= 2, $"the late due time's fire asked again after it failed (attempts {attempts.Count})");
        var before = await client.Schedule.GetAsync(schedule.Id);
        Assert.Equal(0, before.Fired);

        var runs = new ConcurrentQueue<(string Text, string? Key)>();
        await using var worker = await RecordingWorkerAsync(client, action, runs);
        var fired = await UntilScheduleAsync(client, schedule.Id, s => s.Fired >= 1);
        Assert.Equal((1L, 1L, late), (fired.Fired, fired.Missed, fired.LastRunAtMs));
        await UntilAsync(() => runs.Any(r => r.Text == "mine"), "the schedule's run of the late due time");
        Assert.Equal(key, runs.Single(r => r.Text == "mine").Key);
    }

    [Fact]
    public async Task AFailingFireBacksOffKeepsItsDueTimeAndRunsOnceItCan()
    {
        var action = NewAction();
        // Finished runs and their keys are kept one second, so the key taken below frees soon after its run ends.
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(RetentionMs: 1_000));
        // Every fire attempt records its lateness as it starts the invoke.
        using var attempts = new ActionMeasurements("flo.schedule.lateness", action);
        var schedule = await Client.Schedule.OnceAsync(action, DateTimeOffset.UtcNow.AddSeconds(1), new ScheduleOptions(Args: "mine"u8.ToArray()));
        // Another run holds the due time's key with another payload: the schedule's invoke is refused while it lives.
        var key = $"schedule:{schedule.Id}:{schedule.NextRunAtMs}";
        var squatter = await Client.Action.InvokeAsync(action, "other"u8.ToArray(), new ActionInvokeOptions(IdempotencyKey: key));
        await UntilAsync(() => attempts.Count >= 2, "a first failed fire asked again");
        await Task.Delay(3_000);
        // Back-off 100 ms doubling: about 5 more attempts in 3 s; asked again every millisecond it would be hundreds.
        Assert.InRange(attempts.Count, 2, 12);
        var waiting = await Client.Schedule.GetAsync(schedule.Id);
        Assert.Equal((true, 0L, schedule.NextRunAtMs), (waiting.Enabled, waiting.Fired, waiting.NextRunAtMs));

        // The squatter runs and its key expires: the schedule's next attempt gets its own run, for the same due time.
        var runs = new ConcurrentQueue<(string Text, string? Key)>();
        await using var worker = await RecordingWorkerAsync(Client, action, runs);
        await UntilAsync(() => runs.Any(r => r.Text == "mine"), $"the schedule's run after the key was freed (attempts {attempts.Count}, runs {string.Join(",", runs)})");
        var fired = await UntilScheduleAsync(schedule.Id, s => !s.Enabled);
        Assert.Equal(1, fired.Fired);
        Assert.NotEqual(squatter, fired.LastRunId);
        Assert.Equal(key, runs.Single(r => r.Text == "mine").Key);
    }

    [Fact]
    public async Task DisablingCancelsARunInvokedAheadOfItsDueTime()
    {
        var action = NewAction();
        var started = new ConcurrentQueue<string?>();
        await using var worker = Client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            started.Enqueue($"{ctx.IdempotencyKey}@{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        var schedule = await Client.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "never disabled between a run's invoke ahead and its due time");
            // A run invoked ahead: its due time (the schedule's last run) is still to come.
            var ahead = await UntilScheduleAsync(schedule.Id, s => s.LastRunAtMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 50);
            await Client.Schedule.DisableAsync(schedule.Id);
            var disabledAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (disabledAt >= ahead.LastRunAtMs - 50)
            {
                // Too slow: a worker holding the run asks whether it was cancelled 20 ms before the due time; try the next one.
                await Client.Schedule.EnableAsync(schedule.Id);
                continue;
            }
            var run = await Client.Action.WaitAsync(ahead.LastRunId!, Patience);
            Assert.Equal(RunStatus.Cancelled, run.Status);
            await Task.Delay(1_500);
            Assert.True(!started.Any(k => k!.StartsWith($"schedule:{schedule.Id}:{ahead.LastRunAtMs}@")), $"disabled at {disabledAt}, due {ahead.LastRunAtMs}, started {string.Join(", ", started)}; run {run.Status} {run.StartedAtMs} {run.FinishedAtMs}");
            return;
        }
    }

    [Fact]
    public async Task AScheduleKeepsAtMostOneRunWaitingForAWorker()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(Partitions: 4));
        using var held = new ActionMeasurements("flo.schedule.held", action);
        // No worker yet: the first run waits, and the due times after it are held instead of queued behind it.
        var schedule = await Client.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(1));
        await UntilAsync(() => held.Count >= 1, "a held fire");
        await Task.Delay(3_000);
        var waiting = await Client.Action.ListRunsAsync(new RunFilter(Action: action));
        Assert.Single(waiting.Runs);
        Assert.Equal(RunStatus.Pending, waiting.Runs[0].Status);
        var info = await Client.Schedule.GetAsync(schedule.Id);
        Assert.Equal((1L, waiting.Runs[0].RunId), (info.Fired, info.LastRunId));

        // A worker takes the waiting run; the schedule fires again at once, the due times held meanwhile counted missed.
        var keys = new ConcurrentQueue<string?>();
        await using var worker = Client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            keys.Enqueue(ctx.IdempotencyKey);
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        var after = await UntilScheduleAsync(schedule.Id, s => s.Fired >= 3);
        Assert.True(after.Missed >= 2, $"missed {after.Missed}: the due times held behind the waiting run");
        await UntilAsync(() => keys.Count >= 3, "the runs after the worker came");
        Assert.Equal(keys.Count, keys.Distinct().Count());
        await Client.Schedule.DeleteAsync(schedule.Id);
    }

    /// <summary>A started worker of <paramref name="action"/> whose handler records each run's text and idempotency key.</summary>
    private static async Task<ActionWorker> RecordingWorkerAsync(FloClient client, string action, ConcurrentQueue<(string Text, string? Key)> runs)
    {
        var worker = client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            runs.Enqueue((ctx.Text, ctx.IdempotencyKey));
            return Task.FromResult(Array.Empty<byte>());
        });
        try
        {
            await worker.StartAsync();
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    private async Task<ScheduleInfo> UntilScheduleAsync(string id, Func<ScheduleInfo, bool> condition) => await UntilScheduleAsync(Client, id, condition);

    private static async Task<ScheduleInfo> UntilScheduleAsync(FloClient client, string id, Func<ScheduleInfo, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var info = await client.Schedule.GetAsync(id);
            if (condition(info))
            {
                return info;
            }
            Assert.True(DateTime.UtcNow < deadline, $"schedule stuck: enabled {info.Enabled}, fired {info.Fired}, missed {info.Missed}, next {info.NextRunAtMs}");
            await Task.Delay(100);
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited too long for {what}");
            await Task.Delay(50);
        }
    }
}
