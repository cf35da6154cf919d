using System.Collections.Concurrent;
using System.Text;
using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>Failures, retries with backoff, timeouts and refused late results.</summary>
public sealed class ActionRetryTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FloClient Client => fixture.Client;

    private static string NewAction() => $"retry-{Guid.NewGuid():N}";

    [Fact]
    public async Task AFailingHandlerIsRetriedUntilItSucceeds()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(MaxRetries: 3, RetryDelayMs: 50, Backoff: 1));
        var calls = 0;
        await using var worker = Client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            if (Interlocked.Increment(ref calls) < 3)
            {
                throw new InvalidOperationException($"boom {ctx.Attempt}");
            }
            return Task.FromResult(Encoding.UTF8.GetBytes($"ok on {ctx.Attempt}"));
        });
        await worker.StartAsync();
        var run = await Client.Action.WaitAsync(await Client.Action.InvokeAsync(action, []), Patience);
        Assert.Equal((RunStatus.Completed, "ok on 3"), (run.Status, Encoding.UTF8.GetString(run.Result!)));
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Failed, AttemptOutcome.Completed], run.Attempts.Select(a => a.Outcome));
        Assert.Equal(["InvalidOperationException: boom 1", "InvalidOperationException: boom 2", null], run.Attempts.Select(a => a.Error));
    }

    [Fact]
    public async Task ARunIsFailedAfterItsLastRetryWithEveryAttemptsError()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(MaxRetries: 2, RetryDelayMs: 20, Backoff: 2));
        await using var worker = Client.NewActionWorker();
        worker.Action(action, ctx => throw new ArgumentException($"bad input #{ctx.Attempt}"));
        await worker.StartAsync();
        var runId = await Client.Action.InvokeAsync(action, []);
        var run = await Client.Action.WaitAsync(runId, Patience);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(3, run.MaxAttempts);
        Assert.Equal(["ArgumentException: bad input #1", "ArgumentException: bad input #2", "ArgumentException: bad input #3"], run.Attempts.Select(a => a.Error));
        Assert.Equal("ArgumentException: bad input #3", run.Error);
        // Backoff: the n-th retry waited retry_delay x backoff^(n-1) after the attempt before it ended.
        Assert.True(run.Attempts[1].StartedAtMs - run.Attempts[0].FinishedAtMs >= 20);
        Assert.True(run.Attempts[2].StartedAtMs - run.Attempts[1].FinishedAtMs >= 40);
        Assert.Contains((await Client.Action.ListRunsAsync(new RunFilter(RunStatus.Failed, action))).Runs, r => r.RunId == runId && r.Error == run.Error);
    }

    [Fact]
    public async Task AnAttemptPastItsTimeoutIsTimedOutRetriedAndItsLateResultRefused()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(TimeoutMs: 400, MaxRetries: 1, RetryDelayMs: 10));
        var late = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 2));
        worker.Action(action, async ctx =>
        {
            if (ctx.Attempt == 1)
            {
                // Ignores its token: keeps going past the timeout, then reports directly, as a slow worker would.
                await Task.Delay(1_500);
                try
                {
                    await Client.Grains.GetGrain<IActionRunGrain>(ActionLimits.RunKey("default", ctx.RunId)).Complete(1, "late"u8.ToArray());
                    late.TrySetResult(null);
                }
                catch (Exception e)
                {
                    late.TrySetResult(e);
                }
                return "late"u8.ToArray();
            }
            return "second"u8.ToArray();
        });
        await worker.StartAsync();
        var runId = await Client.Action.InvokeAsync(action, []);
        var run = await Client.Action.WaitAsync(runId, Patience);
        Assert.Equal((RunStatus.Completed, "second"), (run.Status, Encoding.UTF8.GetString(run.Result!)));
        Assert.Equal(AttemptOutcome.TimedOut, run.Attempts[0].Outcome);
        Assert.Contains("timed out after 400 ms", run.Attempts[0].Error);
        Assert.IsType<StaleAttemptException>(await late.Task.WaitAsync(Patience));
        Assert.Equal("second", Encoding.UTF8.GetString((await Client.Action.GetRunAsync(runId)).Result!));
    }

    [Fact]
    public async Task TheLastAttemptTimingOutLeavesTheRunTimedOut()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(TimeoutMs: 200, MaxRetries: 0));
        await using var worker = Client.NewActionWorker();
        worker.Action(action, async ctx => { await Task.Delay(Timeout.Infinite, ctx.CancellationToken); return []; });
        await worker.StartAsync();
        var run = await Client.Action.WaitAsync(await Client.Action.InvokeAsync(action, []), Patience);
        Assert.Equal(RunStatus.TimedOut, run.Status);
        Assert.Equal(AttemptOutcome.TimedOut, Assert.Single(run.Attempts).Outcome);
    }

    [Fact]
    public async Task RetriesWaitTheirBackoffOnTheSilosClock()
    {
        // A silo clock the test moves (timers keep running on real time): a retry waits exactly its backoff delay on it.
        await using var cluster = await ShiftedClockCluster.DeployAsync();
        var (clock, client) = (cluster.Clock, cluster.Client);
        var action = NewAction();
        await client.Action.RegisterAsync(action, new ActionRegisterOptions(MaxRetries: 2, RetryDelayMs: 60_000, Backoff: 3));
        var attempts = new ConcurrentQueue<int>();
        await using var worker = client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            attempts.Enqueue(ctx.Attempt);
            throw new InvalidOperationException("always");
        });
        await worker.StartAsync();
        var runId = await client.Action.InvokeAsync(action, []);

        var first = await UntilAsync(client, runId, r => r.Status == RunStatus.Retrying && r.Attempts.Count == 1);
        Assert.Equal(60_000, first.NextAttemptAtMs - first.Attempts[0].FinishedAtMs);
        // Real time passes too: the clock is moved to 10 s short of the retry, then past it.
        clock.Advance(50_000);
        await Task.Delay(1_500);
        Assert.Single(attempts);
        clock.Advance(10_000);
        var second = await UntilAsync(client, runId, r => r.Status == RunStatus.Retrying && r.Attempts.Count == 2);
        Assert.Equal(180_000, second.NextAttemptAtMs - second.Attempts[1].FinishedAtMs);
        clock.Advance(170_000);
        await Task.Delay(1_500);
        Assert.Equal(2, attempts.Count);
        clock.Advance(10_000);
        var failed = await client.Action.WaitAsync(runId, Patience);
        Assert.Equal((RunStatus.Failed, 3), (failed.Status, failed.Attempts.Count));
    }

    private static async Task<ActionRun> UntilAsync(FloClient client, string runId, Func<ActionRun, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var run = await client.Action.GetRunAsync(runId);
            if (condition(run))
            {
                return run;
            }
            Assert.True(DateTime.UtcNow < deadline, $"run stuck at {run.Status} after {run.Attempts.Count} attempt(s)");
            await Task.Delay(50);
        }
    }
}
