using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flo.Actions;

/// <summary>
/// Runs actions in this process (seed: <c>client.new_action_worker(concurrency=5)</c> with <c>@worker.action("name")</c>):
/// <code>
/// await using var worker = client.NewActionWorker(new ActionWorkerOptions(Concurrency: 5));
/// worker.Action("process-image", async ctx => ctx.ToBytes(await ProcessAsync(ctx.Json&lt;Image&gt;(), ctx.CancellationToken)));
/// await worker.StartAsync();
/// </code>
/// It registers its actions (if not registered), long-polls for their runs with bounded concurrency (a separate,
/// core-sized limit on the thread pool for CPU-bound handlers), heartbeats the runs it holds, reports each attempt's
/// result or error, and on <see cref="StopAsync"/> finishes what runs (up to <see cref="ActionWorkerOptions.StopTimeout"/>)
/// and hands the rest back. In a Generic Host app use <c>services.AddFloWorker(...)</c>.
/// </summary>
public sealed partial class ActionWorker : IAsyncDisposable
{
    private readonly ActionClient actions;
    private readonly ActionWorkerOptions options;
    private readonly ILogger logger;
    private readonly string ns;
    private readonly Dictionary<string, (Func<ActionContext, Task<byte[]>> Handler, ActionHandlerOptions Options)> handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HeldRun> held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource polling = new();
    private readonly CancellationTokenSource hardStop = new();
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> loops = [];
    private readonly DueTimeWaker waker;
    private WorkerLane? io;
    private WorkerLane? cpu;
    private long startedAtMs;
    private long finished;
    private int state; // 0 new, 1 started, 2 stopping/stopped

    internal ActionWorker(ActionClient actions, ActionWorkerOptions options, ILogger? logger)
    {
        options.Validate();
        this.actions = actions;
        this.options = options;
        this.logger = logger ?? NullLogger.Instance;
        ns = options.Namespace ?? actions.DefaultNamespace;
        ActionLimits.ValidateNamespace(ns);
        WorkerId = options.WorkerId ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        waker = new DueTimeWaker(held => LogDueThreadBlocked(this.logger, WorkerId, held.TotalMilliseconds));
    }

    /// <summary>This worker's id, as attempts and the worker registry show it.</summary>
    public string WorkerId { get; }

    /// <summary>Runs this worker is executing now.</summary>
    public int Running => held.Count;

    /// <summary>Attempts this worker finished (reported a result or an error) since it started.</summary>
    public long Finished => Interlocked.Read(ref finished);

    /// <summary>Handles <paramref name="name"/> with an async handler returning the result bytes.</summary>
    public ActionWorker Action(string name, Func<ActionContext, Task<byte[]>> handler, ActionHandlerOptions? options = null)
    {
        ActionLimits.ValidateName(name);
        ArgumentNullException.ThrowIfNull(handler);
        if (Volatile.Read(ref state) != 0)
        {
            throw new InvalidOperationException("Add handlers before the worker starts.");
        }
        if (!handlers.TryAdd(name, (handler, options ?? new ActionHandlerOptions())))
        {
            throw new ArgumentException($"Action '{name}' already has a handler on this worker.", nameof(name));
        }
        return this;
    }

    /// <summary>Handles <paramref name="name"/> with an async handler that has no result (an empty result is stored).</summary>
    public ActionWorker Action(string name, Func<ActionContext, Task> handler, ActionHandlerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Action(name, async ctx =>
        {
            await handler(ctx).ConfigureAwait(false);
            return [];
        }, options);
    }

    /// <summary>
    /// Registers the actions (with their <see cref="ActionHandlerOptions.Register"/> options, else with defaults only
    /// if not registered) and starts leasing runs.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (handlers.Count == 0)
        {
            throw new InvalidOperationException("The worker has no handlers: call Action(...) before StartAsync.");
        }
        if (Interlocked.CompareExchange(ref state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The worker was already started.");
        }
        startedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        io = new WorkerLane("io", options.Concurrency, TaskScheduler.Default);
        cpu = new WorkerLane("cpu", options.Cpu, new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, options.Cpu).ConcurrentScheduler);
        foreach (var (name, (_, handlerOptions)) in handlers)
        {
            var definition = handlerOptions.Register is { } register
                ? await actions.Api.RegisterAsync(ns, register.ToDefinition(name), keepExisting: false, cancellationToken).ConfigureAwait(false)
                : await actions.Api.RegisterAsync(ns, new ActionRegisterOptions().ToDefinition(name), keepExisting: true, cancellationToken).ConfigureAwait(false);
            var lane = handlerOptions.CpuBound ? cpu : io;
            for (var p = 0; p < definition.Partitions; p++)
            {
                lane.Add(name, p, actions.Api.Dispatch(ns, name, p));
            }
        }
        await HeartbeatRegistryAsync().ConfigureAwait(false);
        var leaseMs = (long)options.Lease.TotalMilliseconds;
        foreach (var lane in new[] { io, cpu }.Where(l => !l.IsEmpty))
        {
            loops.Add(Task.Run(() => lane.RunAsync(WorkerId, leaseMs, options.PollBlockMs, (lease, partition) => Execute(lane, lease, partition), e => LogLeaseFailed(logger, e, WorkerId, lane.Name), polling.Token)));
        }
        loops.Add(Task.Run(HeartbeatLoopAsync));
        LogStarted(logger, WorkerId, ns, string.Join(", ", handlers.Keys), options.Concurrency, options.Cpu);
    }

    /// <summary>
    /// Stops leasing, waits up to <see cref="ActionWorkerOptions.StopTimeout"/> (or until <paramref name="cancellationToken"/>)
    /// for running handlers, then hands the runs still running back (pending again at once, not counted as a retry)
    /// and cancels their handlers.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var previous = Interlocked.Exchange(ref state, 2);
        if (previous != 1)
        {
            return;
        }
        await polling.CancelAsync().ConfigureAwait(false);
        if (held.IsEmpty)
        {
            drained.TrySetResult();
        }
        try
        {
            await drained.Task.WaitAsync(options.Stop, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }
        var remaining = held.Values.ToList();
        if (remaining.Count > 0)
        {
            // Handed back before the handlers are cancelled, so what they report afterwards is refused as stale.
            foreach (var group in remaining.GroupBy(r => (r.Lease.Action, r.Partition)))
            {
                try
                {
                    await actions.Api.Dispatch(ns, group.Key.Action, group.Key.Partition).Release(WorkerId, [.. group.Select(r => r.Lease.RunId)]).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // Their leases end without heartbeats; the runs are retried then.
                    LogReleaseFailed(logger, e, WorkerId);
                }
            }
            foreach (var run in remaining)
            {
                run.Release();
            }
        }
        await hardStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }
        try
        {
            await LeaveAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogReleaseFailed(logger, e, WorkerId);
        }
        LogStopped(logger, WorkerId, remaining.Count);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        waker.Dispose();
        polling.Dispose();
        hardStop.Dispose();
    }

    private Task LeaveAsync() => actions.Api.Workers(ns).Leave(WorkerId);

    /// <summary>Runs one attempt on its lane and reports how it ended; frees the lane's slot at the end.</summary>
    private void Execute(WorkerLane lane, RunLease lease, int partition)
    {
        var run = new HeldRun(lease, partition, hardStop.Token);
        held[lease.RunId] = run;
        // A run leased ahead of its due time starts then, and its timeout counts from then.
        run.Cancellation.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, lease.TimeoutMs + lease.StartInMs)));
        var context = new ActionContext(lease, ns, WorkerId, run.Cancellation.Token, () => HeartbeatOneAsync(run));
        var handler = handlers[lease.Action].Handler;
        _ = Task.Factory.StartNew(() => RunAndReportAsync(lane, run, handler, context), CancellationToken.None, TaskCreationOptions.DenyChildAttach, lane.Scheduler).Unwrap();
    }

    private async Task RunAndReportAsync(WorkerLane lane, HeldRun run, Func<ActionContext, Task<byte[]>> handler, ActionContext context)
    {
        try
        {
            // Not ConfigureAwait(false): the handler starts on its lane's scheduler, which bounds the lane's concurrency.
            if (!await UntilDueAsync(run))
            {
                return;
            }
            byte[]? result = null;
            string? error = null;
            try
            {
                result = await handler(context).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (run.Cancellation.IsCancellationRequested)
            {
                // Stopped by its token: the run was taken away, the worker is stopping, or the attempt's own timeout
                // fired here. In every case the partition decides (it times the attempt out at its deadline), so the
                // worker reports nothing rather than race it with a failure.
                return;
            }
            catch (Exception e)
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }
            if (run.IsLost || run.IsReleased)
            {
                // The run is no longer ours (cancelled, timed out, handed back): a report would be refused.
                return;
            }
            await ReportAsync(run, result, error).ConfigureAwait(false);
        }
        finally
        {
            held.TryRemove(run.Lease.RunId, out _);
            run.Dispose();
            lane.Release();
            Interlocked.Increment(ref finished);
            if (Volatile.Read(ref state) == 2 && held.IsEmpty)
            {
                drained.TrySetResult();
            }
        }
    }

    /// <summary>How long before a run leased ahead is due its worker asks whether the run is still its own.</summary>
    internal const long CheckAheadMs = 20;

    /// <summary>
    /// Waits until a run leased ahead is due (<see cref="RunLease.StartInMs"/>), asking its partition shortly before
    /// (<see cref="CheckAheadMs"/>) whether it is still ours, so a run cancelled until then (a schedule disabled after
    /// invoking it ahead) never starts; false when it must not start.
    /// </summary>
    private async Task<bool> UntilDueAsync(HeldRun run)
    {
        if (run.Lease.StartInMs <= 0)
        {
            return true;
        }
        try
        {
            // Asked a little before the due time, so the answer's round trip is not between the due time and the handler.
            await DelayUntilAsync(run, run.DueAt - (long)(CheckAheadMs * (Stopwatch.Frequency / 1000.0))).ConfigureAwait(false);
            await HeartbeatOneAsync(run).ConfigureAwait(false);
            if (run.IsLost || run.Cancellation.IsCancellationRequested)
            {
                return false;
            }
            // On the waker's thread from here: an I/O-lane handler starts on it (see DueTimeWaker).
            await waker.WaitUntilAsync(run.DueAt, run.Cancellation.Token).ConfigureAwait(false);
            return !run.IsLost && !run.Cancellation.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task DelayUntilAsync(HeldRun run, long timestamp)
    {
        // Timers count whole milliseconds of a coarse clock and may end a fraction early: waits until it has passed.
        double wait;
        while ((wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp).TotalMilliseconds) > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait)), run.Cancellation.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Reports an attempt's end to its run, resending on transport failures (the run accepts the same report twice).</summary>
    private async Task ReportAsync(HeldRun run, byte[]? result, string? error)
    {
        var grain = actions.Api.Run(ns, run.Lease.RunId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (error is null)
                {
                    if (result!.Length > ActionLimits.MaxPayloadBytes)
                    {
                        error = $"the result is {result.Length} bytes; the limit is {ActionLimits.MaxPayloadBytes}";
                        continue;
                    }
                    await grain.Complete(run.Lease.Attempt, result).ConfigureAwait(false);
                }
                else
                {
                    await grain.Fail(run.Lease.Attempt, error).ConfigureAwait(false);
                }
                return;
            }
            catch (StaleAttemptException e)
            {
                LogStale(logger, WorkerId, run.Lease.RunId, e.Message);
                return;
            }
            catch (Exception e) when (e is not FloException || e is CallOutcomeUnknownException or ClusterUnavailableException)
            {
                if (attempt >= 8 || hardStop.IsCancellationRequested)
                {
                    // The lease ends without heartbeats and the run is retried: at least once, never lost.
                    LogReportFailed(logger, e, WorkerId, run.Lease.RunId);
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt)).ConfigureAwait(false);
            }
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(options.Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(hardStop.Token).ConfigureAwait(false))
            {
                await HeartbeatRunsAsync(held.Values.ToList()).ConfigureAwait(false);
                await HeartbeatRegistryAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HeartbeatOneAsync(HeldRun run) => await HeartbeatRunsAsync([run]).ConfigureAwait(false);

    /// <summary>Heartbeats held runs per partition; runs the partition says are no longer ours get their tokens cancelled.</summary>
    private async Task HeartbeatRunsAsync(List<HeldRun> runs)
    {
        var leaseMs = (long)options.Lease.TotalMilliseconds;
        foreach (var group in runs.GroupBy(r => (r.Lease.Action, r.Partition)))
        {
            try
            {
                var lost = await actions.Api.Dispatch(ns, group.Key.Action, group.Key.Partition).Heartbeat(WorkerId, [.. group.Select(r => r.Lease.RunId)], leaseMs).ConfigureAwait(false);
                foreach (var runId in lost)
                {
                    if (held.TryGetValue(runId, out var run))
                    {
                        run.Lose();
                    }
                }
            }
            catch (Exception e)
            {
                LogHeartbeatFailed(logger, e, WorkerId);
            }
        }
    }

    private async Task HeartbeatRegistryAsync()
    {
        try
        {
            await actions.Api.Workers(ns).Heartbeat(new WorkerInfo
            {
                WorkerId = WorkerId,
                Actions = [.. handlers.Keys],
                Concurrency = options.Concurrency,
                CpuConcurrency = options.Cpu,
                Runs = [.. held.Keys],
                Host = Environment.MachineName,
                StartedAtMs = startedAtMs,
                Finished = Finished,
            }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogHeartbeatFailed(logger, e, WorkerId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started in namespace {Namespace} for {Actions} (concurrency {Concurrency}, CPU {Cpu})")]
    private static partial void LogStarted(ILogger logger, string workerId, string @namespace, string actions, int concurrency, int cpu);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped; {Released} run(s) handed back")]
    private static partial void LogStopped(ILogger logger, string workerId, int released);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: leasing on lane {Lane} failed; trying again")]
    private static partial void LogLeaseFailed(ILogger logger, Exception error, string workerId, string lane);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: a heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception error, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: handing runs back failed; their leases end and they are retried")]
    private static partial void LogReleaseFailed(ILogger logger, Exception error, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: the end of run {RunId} could not be reported; it is retried when its lease ends")]
    private static partial void LogReportFailed(ILogger logger, Exception error, string workerId, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: a handler held the due-time thread for {Milliseconds:N0} ms before its first await, delaying runs due meanwhile; mark CPU-bound or blocking handlers CpuBound")]
    private static partial void LogDueThreadBlocked(ILogger logger, string workerId, double milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Worker {WorkerId}: report on run {RunId} refused: {Reason}")]
    private static partial void LogStale(ILogger logger, string workerId, string runId, string reason);
}
