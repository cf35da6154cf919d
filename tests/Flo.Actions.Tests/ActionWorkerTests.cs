using System.Collections.Concurrent;
using System.Text;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flo.Actions.Tests;

/// <summary>Workers: bounded concurrency, the CPU lane, heartbeats of a killed worker, graceful stop, hosting.</summary>
public sealed class ActionWorkerTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FloClient Client => fixture.Client;

    private static string NewAction() => $"work-{Guid.NewGuid():N}";

    [Fact]
    public async Task AWorkerRunsAtMostItsConcurrency()
    {
        var action = NewAction();
        var running = 0;
        var peak = 0;
        await using var worker = Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 3));
        worker.Action(action, async _ =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(100);
            Interlocked.Decrement(ref running);
            return [];
        });
        await worker.StartAsync();
        var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Client.Action.InvokeAsync(action, [])));
        foreach (var id in ids)
        {
            Assert.Equal(RunStatus.Completed, (await Client.Action.WaitAsync(id, Patience)).Status);
        }
        Assert.Equal(3, Volatile.Read(ref peak));
    }

    [Fact]
    public async Task CpuBoundHandlersKeepToTheirLimitWhileIoHandlersRun()
    {
        var cpuAction = NewAction();
        var ioAction = NewAction();
        var cpuRunning = 0;
        var cpuPeak = 0;
        var cpuDone = 0;
        var ioDoneWhileCpuBusy = 0;
        await using var worker = Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 4, CpuConcurrency: 1));
        worker.Action(cpuAction, ctx =>
        {
            var now = Interlocked.Increment(ref cpuRunning);
            InterlockedMax(ref cpuPeak, now);
            // Busy for 300 ms on a thread-pool thread, as CPU work is.
            var until = Environment.TickCount64 + 300;
            while (Environment.TickCount64 < until)
            {
                Thread.SpinWait(1_000);
            }
            Interlocked.Decrement(ref cpuRunning);
            Interlocked.Increment(ref cpuDone);
            return Task.FromResult(Array.Empty<byte>());
        }, new ActionHandlerOptions(CpuBound: true));
        worker.Action(ioAction, async _ =>
        {
            await Task.Delay(10);
            if (Volatile.Read(ref cpuRunning) > 0 && Volatile.Read(ref cpuDone) < 3)
            {
                Interlocked.Increment(ref ioDoneWhileCpuBusy);
            }
            return [];
        });
        await worker.StartAsync();
        var cpuRuns = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Client.Action.InvokeAsync(cpuAction, [])));
        var ioRuns = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ioRuns.Add(await Client.Action.InvokeAsync(ioAction, []));
            await Task.Delay(20);
        }
        foreach (var id in cpuRuns.Concat(ioRuns))
        {
            Assert.Equal(RunStatus.Completed, (await Client.Action.WaitAsync(id, Patience)).Status);
        }
        Assert.Equal(1, Volatile.Read(ref cpuPeak));
        Assert.True(Volatile.Read(ref ioDoneWhileCpuBusy) > 0, "no I/O handler finished while a CPU-bound one ran");
    }

    [Fact]
    public async Task ARunOfAWorkerThatDiedIsTimedOutByHeartbeatAndCompletedByAnother()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(TimeoutMs: 120_000, RetryDelayMs: 10));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The doomed worker has its own connection; dropping it is the worker's process dying (no stop, no hand-back).
        var doomedClient = await fixture.Cluster.ConnectAsync();
        var doomed = doomedClient.NewActionWorker(new ActionWorkerOptions(HeartbeatInterval: TimeSpan.FromMilliseconds(200), LeaseTimeout: TimeSpan.FromSeconds(1.5)));
        doomed.Action(action, async ctx =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            return [];
        });
        await doomed.StartAsync();
        var runId = await Client.Action.InvokeAsync(action, "x"u8.ToArray());
        await started.Task.WaitAsync(Patience);
        await doomedClient.DisposeAsync();

        await using var survivor = Client.NewActionWorker();
        survivor.Action(action, ctx => Task.FromResult(Encoding.UTF8.GetBytes($"done by {ctx.WorkerId} on attempt {ctx.Attempt}")));
        await survivor.StartAsync();
        var run = await Client.Action.WaitAsync(runId, Patience);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal($"done by {survivor.WorkerId} on attempt {run.Attempts.Count}", Encoding.UTF8.GetString(run.Result!));
        // Every attempt before the last was the dead worker's, timed out by heartbeat (its long poll, still queued in the
        // partition when the connection dropped, may have been handed the retry too: that attempt is recorded the same way).
        Assert.All(run.Attempts.SkipLast(1), a =>
        {
            Assert.Equal((doomed.WorkerId, AttemptOutcome.TimedOut), (a.WorkerId, a.Outcome));
            Assert.Contains("stopped heartbeating", a.Error);
        });
        Assert.Equal((survivor.WorkerId, AttemptOutcome.Completed), (run.Attempts[^1].WorkerId, run.Attempts[^1].Outcome));
    }

    [Fact]
    public async Task AStoppingWorkerFinishesShortRunsAndHandsBackLongOnes()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(MaxRetries: 0));
        var startedLong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startedShort = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 2, StopTimeout: TimeSpan.FromMilliseconds(500)));
        worker.Action(action, async ctx =>
        {
            if (ctx.Text == "long")
            {
                startedLong.TrySetResult();
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            startedShort.TrySetResult();
            await Task.Delay(200);
            return "short done"u8.ToArray();
        });
        await worker.StartAsync();
        var longRun = await Client.Action.InvokeAsync(action, "long"u8.ToArray());
        var shortRun = await Client.Action.InvokeAsync(action, "short"u8.ToArray());
        await Task.WhenAll(startedLong.Task, startedShort.Task).WaitAsync(Patience);
        await worker.StopAsync();

        Assert.Equal(RunStatus.Completed, (await Client.Action.GetRunAsync(shortRun)).Status);
        var handedBack = await Client.Action.GetRunAsync(longRun);
        Assert.Equal(RunStatus.Pending, handedBack.Status);
        Assert.Equal(AttemptOutcome.Released, Assert.Single(handedBack.Attempts).Outcome);
        // Not counted as a retry (MaxRetries 0): another worker still runs it.
        await using var next = Client.NewActionWorker();
        next.Action(action, _ => Task.FromResult("second worker"u8.ToArray()));
        await next.StartAsync();
        var run = await Client.Action.WaitAsync(longRun, Patience);
        Assert.Equal((RunStatus.Completed, "second worker"), (run.Status, Encoding.UTF8.GetString(run.Result!)));
    }

    [Fact]
    public async Task AWorkerRunsAsAHostedServiceInAGenericHostApp()
    {
        var action = NewAction();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFloClient(o =>
        {
            o.Gateways = [.. fixture.Cluster.Gateways.Split(',')];
            o.ClusterId = fixture.Cluster.Cluster.Options.ClusterId;
            o.ServiceId = fixture.Cluster.Cluster.Options.ServiceId;
        });
        builder.Services.AddSingleton(new Greeting("hello"));
        builder.Services.AddFloWorker((services, worker) =>
            worker.Action(action, ctx => Task.FromResult(Encoding.UTF8.GetBytes($"{services.GetRequiredService<Greeting>().Text} {ctx.Text}"))));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var run = await Client.Action.WaitAsync(await Client.Action.InvokeAsync(action, "world"u8.ToArray()), Patience);
            Assert.Equal("hello world", Encoding.UTF8.GetString(run.Result!));
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.DoesNotContain(await Client.Action.ListWorkersAsync(), w => w.Actions.Contains(action));
    }

    private sealed record Greeting(string Text);

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    [Fact]
    public async Task ARunLeasedAheadAndCancelledBeforeItsDueTimeNeverStarts()
    {
        var action = NewAction();
        var started = new ConcurrentQueue<string>();
        await using var worker = Client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            started.Enqueue(ctx.RunId);
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "never cancelled a run between its lease ahead and its due time");
            var runId = await Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(DelayMs: 1_000));
            var due = (await Client.Action.GetRunAsync(runId)).SubmittedAtMs + 1_000;
            // Leased ahead: the worker holds it (Running) before its due time, waiting to start it.
            ActionRun run;
            while ((run = await Client.Action.GetRunAsync(runId)).Status == RunStatus.Pending)
            {
                await Task.Delay(10);
            }
            await Client.Action.CancelAsync(runId);
            if (run.Status != RunStatus.Running || DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() >= due - 50)
            {
                // Too slow: the worker asks whether its run was cancelled 20 ms before the due time; try again.
                continue;
            }
            Assert.Equal(due, run.StartedAtMs);
            await Task.Delay(1_000);
            Assert.DoesNotContain(runId, started);
            Assert.Equal(RunStatus.Cancelled, (await Client.Action.GetRunAsync(runId)).Status);
            return;
        }
    }
}
