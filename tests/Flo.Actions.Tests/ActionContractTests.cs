using System.Collections.Concurrent;
using System.Text;
using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>Actions, runs and workers on two silos: invoke, results, priority, delay, idempotency, cancel, listings, events.</summary>
public sealed class ActionContractTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FloClient Client => fixture.Client;

    private static string NewAction() => $"act-{Guid.NewGuid():N}";

    [Fact]
    public async Task TheSeedsWorkerExampleRunsAnInvokedAction()
    {
        var action = NewAction();
        // Seed: worker = client.new_action_worker(concurrency=5); @worker.action("process-image") ... ctx.json() ... ctx.to_bytes(...)
        await using var worker = Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 5));
        string? seenKey = null;
        worker.Action(action, async ctx =>
        {
            seenKey = ctx.IdempotencyKey;
            var data = ctx.Json<ImageRequest>();
            await Task.Yield();
            return ctx.ToBytes(new ImageResult("done", data.Width * 2));
        });
        await worker.StartAsync();
        // Seed: action.register(..., ActionRegisterOptions(timeout_ms=60000, max_retries=3)); invoke(..., ActionInvokeOptions(priority=10, idempotency_key="order-123")); status(run_id)
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(TimeoutMs: 60_000, MaxRetries: 3));
        var runId = await Client.Action.InvokeJsonAsync(action, new ImageRequest("cat.png", 21), new ActionInvokeOptions(Priority: 10, IdempotencyKey: "order-123"));
        var run = await Client.Action.WaitAsync(runId, Patience);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal("{\"status\":\"done\",\"result\":42}", Encoding.UTF8.GetString(run.Result!));
        // The handler's context carries the invoke's idempotency key.
        Assert.Equal("order-123", seenKey);
        var attempt = Assert.Single(run.Attempts);
        Assert.Equal((1, worker.WorkerId, AttemptOutcome.Completed), (attempt.Number, attempt.WorkerId, attempt.Outcome));
        Assert.True(run.SubmittedAtMs <= run.StartedAtMs && run.StartedAtMs <= run.FinishedAtMs);
        var status = await Client.Action.GetRunAsync(runId);
        Assert.Equal((RunStatus.Completed, action, 10), (status.Status, status.Action, status.Priority));
    }

    [Fact]
    public async Task HigherPriorityRunsFirstAndEqualPrioritiesInOrder()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action);
        var invoked = new List<(string RunId, int Priority)>();
        foreach (var priority in new[] { 1, 5, 10, 5, 20, 1 })
        {
            invoked.Add((await Client.Action.InvokeAsync(action, Encoding.UTF8.GetBytes(priority.ToString()), new ActionInvokeOptions(Priority: priority)), priority));
        }
        var order = new ConcurrentQueue<string>();
        await using var worker = Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 1));
        worker.Action(action, ctx =>
        {
            order.Enqueue(ctx.RunId);
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        foreach (var (runId, _) in invoked)
        {
            await Client.Action.WaitAsync(runId, Patience);
        }
        var expected = invoked.Select((r, i) => (r.RunId, r.Priority, i)).OrderByDescending(r => r.Priority).ThenBy(r => r.i).Select(r => r.RunId);
        Assert.Equal(expected, order);
    }

    [Fact]
    public async Task ADelayedRunIsNotStartedBeforeItsDelay()
    {
        var action = NewAction();
        long handlerAt = 0;
        await using var worker = Client.NewActionWorker();
        worker.Action(action, _ =>
        {
            Volatile.Write(ref handlerAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return Task.FromResult("ok"u8.ToArray());
        });
        await worker.StartAsync();
        var runId = await Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(DelayMs: 1_500));
        Assert.Equal(RunStatus.Pending, (await Client.Action.GetRunAsync(runId)).Status);
        var run = await Client.Action.WaitAsync(runId, Patience);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.True(run.StartedAtMs - run.SubmittedAtMs >= 1_500, $"started {run.StartedAtMs - run.SubmittedAtMs} ms after submit");
        // Leased to the worker up to LeaseAheadMs early, but its handler waits for the due time (same clock here).
        Assert.True(Volatile.Read(ref handlerAt) - run.SubmittedAtMs >= 1_500, $"handler ran {Volatile.Read(ref handlerAt) - run.SubmittedAtMs} ms after submit");
    }

    [Fact]
    public async Task AnIdempotencyKeyReturnsTheFirstRunAndRefusesAnotherPayload()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action);
        var first = await Client.Action.InvokeAsync(action, "a"u8.ToArray(), new ActionInvokeOptions(IdempotencyKey: "order-1"));
        var again = await Client.Action.InvokeAsync(action, "a"u8.ToArray(), new ActionInvokeOptions(IdempotencyKey: "order-1"));
        Assert.Equal(first, again);
        var conflict = await Assert.ThrowsAsync<IdempotencyConflictException>(() => Client.Action.InvokeAsync(action, "b"u8.ToArray(), new ActionInvokeOptions(IdempotencyKey: "order-1")));
        Assert.Equal(first, conflict.RunId);
        Assert.Contains("order-1", conflict.Message);
        var other = await Client.Action.InvokeAsync(action, "a"u8.ToArray(), new ActionInvokeOptions(IdempotencyKey: "order-2"));
        Assert.NotEqual(first, other);
        var page = await Client.Action.ListRunsAsync(new RunFilter(Action: action));
        Assert.Equal(new[] { other, first }.Order(), page.Runs.Select(r => r.RunId).Order());
    }

    [Fact]
    public async Task CancellingAPendingRunMeansNoWorkerRunsIt()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action);
        var runId = await Client.Action.InvokeAsync(action, []);
        Assert.True(await Client.Action.CancelAsync(runId));
        Assert.False(await Client.Action.CancelAsync(runId));
        var ran = 0;
        await using var worker = Client.NewActionWorker();
        worker.Action(action, _ =>
        {
            Interlocked.Increment(ref ran);
            return Task.FromResult(Array.Empty<byte>());
        });
        await worker.StartAsync();
        var marker = await Client.Action.InvokeAsync(action, []);
        await Client.Action.WaitAsync(marker, Patience);
        var run = await Client.Action.GetRunAsync(runId);
        Assert.Equal((RunStatus.Cancelled, 0), (run.Status, run.Attempts.Count));
        Assert.Equal(1, Volatile.Read(ref ran));
    }

    [Fact]
    public async Task CancellingARunningRunCancelsItsHandlerAndRefusesItsResult()
    {
        var action = NewAction();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = Client.NewActionWorker(new ActionWorkerOptions(HeartbeatInterval: TimeSpan.FromMilliseconds(200), LeaseTimeout: TimeSpan.FromSeconds(5)));
        worker.Action(action, async ctx =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                sawCancel.TrySetResult();
            }
            return "late"u8.ToArray();
        });
        await worker.StartAsync();
        var runId = await Client.Action.InvokeAsync(action, []);
        await started.Task.WaitAsync(Patience);
        Assert.True(await Client.Action.CancelAsync(runId));
        await sawCancel.Task.WaitAsync(Patience);
        var run = await Client.Action.WaitAsync(runId, Patience);
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Null(run.Result);
        Assert.Equal(AttemptOutcome.Cancelled, Assert.Single(run.Attempts).Outcome);
        // The handler's late result was refused: a direct report on that attempt is stale.
        await Assert.ThrowsAsync<StaleAttemptException>(() => Client.Grains.GetGrain<IActionRunGrain>(ActionLimits.RunKey("default", runId)).Complete(1, "late"u8.ToArray()));
    }

    [Fact]
    public async Task RunsAreListedNewestFirstByStatusWithPaging()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(Partitions: 3));
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await Client.Action.InvokeAsync(action, [(byte)i]));
            // Listings order by submit time in ms (ties by id): a few ms apart, the order is the invoke order.
            await Task.Delay(5);
        }
        Assert.True(await Client.Action.CancelAsync(ids[0]));
        var pending = new List<RunSummary>();
        string? cursor = null;
        do
        {
            var page = await Client.Action.ListRunsAsync(new RunFilter(RunStatus.Pending, action), new RunListOptions(Limit: 2, Cursor: cursor));
            Assert.True(page.Runs.Count <= 2);
            pending.AddRange(page.Runs);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(ids.Skip(1).Reverse(), pending.Select(r => r.RunId));
        Assert.All(pending, r => Assert.Equal((action, RunStatus.Pending), (r.Action, r.Status)));
        var cancelled = await Client.Action.ListRunsAsync(new RunFilter(RunStatus.Cancelled, action));
        Assert.Equal(ids[0], Assert.Single(cancelled.Runs).RunId);
        var stats = await Client.Action.StatsAsync(action);
        Assert.Equal((6L, 1L), (stats.Pending, stats.Cancelled));
    }

    [Fact]
    public async Task AFinishedRunIsRemovedAfterItsRetention()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(RetentionMs: 1_000));
        var runId = await Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(IdempotencyKey: "once"));
        Assert.True(await Client.Action.CancelAsync(runId));
        Assert.Equal(RunStatus.Cancelled, (await Client.Action.GetRunAsync(runId)).Status);
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await Client.Action.GetRunAsync(runId);
            }
            catch (RunNotFoundException)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the run outlived its retention by far");
            await Task.Delay(200);
        }
        Assert.Empty((await Client.Action.ListRunsAsync(new RunFilter(Action: action))).Runs);
        // Its idempotency key went with it.
        Assert.NotEqual(runId, await Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(IdempotencyKey: "once")));
    }

    [Fact]
    public async Task RunEventsAreWatchedAsTheyHappen()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action);
        using var stop = new CancellationTokenSource(Patience);
        var seen = new ConcurrentQueue<ActionEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in Client.Action.WatchAsync(new ActionWatchOptions(Action: action), stop.Token))
            {
                seen.Enqueue(e);
            }
        });
        // The watch is subscribed once it sees a probe run's event (no fixed sleep: subscribing takes what it takes).
        var probes = new List<string>();
        while (seen.IsEmpty)
        {
            Assert.False(stop.IsCancellationRequested, "the watch never received an event");
            probes.Add(await Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(Priority: 0)));
            await Task.Delay(100);
        }
        foreach (var probe in probes)
        {
            await Client.Action.CancelAsync(probe);
        }
        await using var worker = Client.NewActionWorker();
        worker.Action(action, _ => Task.FromResult("r"u8.ToArray()));
        await worker.StartAsync();
        // Many runs at once: each silo sends the events in batches, and every run's still arrive in order.
        var runIds = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Client.Action.InvokeAsync(action, [])));
        foreach (var runId in runIds)
        {
            await Client.Action.WaitAsync(runId, Patience);
        }
        ILookup<string, ActionEvent> byRun = seen.ToLookup(e => e.RunId);
        while (runIds.Any(r => byRun[r].Count() < 3) && !stop.IsCancellationRequested)
        {
            await Task.Delay(20);
            byRun = seen.ToLookup(e => e.RunId);
        }
        await stop.CancelAsync();
        await watching.ContinueWith(_ => { });
        foreach (var runId in runIds)
        {
            var mine = byRun[runId].ToList();
            Assert.Equal([ActionEventKind.Created, ActionEventKind.Started, ActionEventKind.Completed], mine.Select(e => e.Kind));
            Assert.All(mine, e => Assert.Equal(action, e.Action));
            Assert.Equal(worker.WorkerId, mine[1].WorkerId);
        }
    }

    [Fact]
    public async Task TheWorkerRegistryListsRunningWorkers()
    {
        var action = NewAction();
        await using var worker = Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 3, CpuConcurrency: 2, Namespace: "workers-ns"));
        worker.Action(action, _ => Task.FromResult(Array.Empty<byte>()));
        await worker.StartAsync();
        var listed = Assert.Single(await Client.Action.ListWorkersAsync(new ActionCallOptions("workers-ns")), w => w.WorkerId == worker.WorkerId);
        Assert.Equal([action], listed.Actions);
        Assert.Equal((3, 2, true), (listed.Concurrency, listed.CpuConcurrency, listed.Alive));
        await worker.StopAsync();
        Assert.DoesNotContain(await Client.Action.ListWorkersAsync(new ActionCallOptions("workers-ns")), w => w.WorkerId == worker.WorkerId);
    }

    [Fact]
    public async Task ActionsAreSeparatedByNamespace()
    {
        var action = NewAction();
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(Namespace: "ns-a"));
        await Assert.ThrowsAsync<ActionNotFoundException>(() => Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(Namespace: "ns-b")));
        var runId = await Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(Namespace: "ns-a"));
        await Assert.ThrowsAsync<RunNotFoundException>(() => Client.Action.GetRunAsync(runId, new ActionCallOptions("ns-b")));
        Assert.Contains(await Client.Action.ListActionsAsync(new ActionCallOptions("ns-a")), d => d.Name == action);
        Assert.DoesNotContain(await Client.Action.ListActionsAsync(new ActionCallOptions("ns-b")), d => d.Name == action);
    }

    private sealed record ImageRequest(string Name, int Width);

    private sealed record ImageResult(string Status, int Result);
}
