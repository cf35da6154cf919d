using System.Collections.Concurrent;
using System.Globalization;

namespace Flo.Actions;

/// <summary>
/// The action operations over the grains, shared by the client facade and the HTTP API so both validate, route and
/// report errors alike.
/// </summary>
/// <remarks>
/// Routing: an invoke goes to one of the action's dispatch partitions (round-robin; by hash with an idempotency key,
/// so the key is checked where its first run is). The partition count is fixed when an action is first registered, so
/// it is cached here once seen. Listings ask every partition and merge, newest first.
/// </remarks>
public sealed class ActionApi(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<(string Ns, string Action), int> partitions = new();
    private int roundRobin;

    /// <summary>Registers (or updates) an action; returns the definition in force.</summary>
    public async Task<ActionDefinition> RegisterAsync(string ns, ActionDefinition definition, bool keepExisting = false, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateDefinition(definition);
        var stored = await grains.GetGrain<IActionGrain>(ActionLimits.ActionKey(ns, definition.Name)).Register(definition, keepExisting).WaitAsync(cancellationToken).ConfigureAwait(false);
        partitions[(ns, stored.Name)] = stored.Partitions;
        return stored;
    }

    /// <summary>An action's definition; throws <see cref="ActionNotFoundException"/> when it is not registered.</summary>
    public async Task<ActionDefinition> GetActionAsync(string ns, string action, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateName(action);
        return await grains.GetGrain<IActionGrain>(ActionLimits.ActionKey(ns, action)).Get().WaitAsync(cancellationToken).ConfigureAwait(false)
            ?? throw NotRegistered(ns, action);
    }

    /// <summary>Every registered action of the namespace, by name.</summary>
    public async Task<IReadOnlyList<ActionDefinition>> ListActionsAsync(string ns, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        var names = await grains.GetGrain<IActionCatalogGrain>(ns).List().WaitAsync(cancellationToken).ConfigureAwait(false);
        var definitions = await Task.WhenAll(names.Select(n => grains.GetGrain<IActionGrain>(ActionLimits.ActionKey(ns, n)).Get())).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. definitions.Where(d => d is not null).Cast<ActionDefinition>()];
    }

    /// <summary>Invokes an action; returns the run's id (with an idempotency key seen in the retention window: the first run's).</summary>
    public async Task<string> InvokeAsync(string ns, string action, byte[] payload, int? priority = null, string? idempotencyKey = null, long delayMs = 0, CancellationToken cancellationToken = default)
        => await InvokeAsync(ns, action, new RunInvocation { Payload = payload, Priority = priority, IdempotencyKey = idempotencyKey, DelayMs = delayMs }, cancellationToken).ConfigureAwait(false);

    /// <summary>Invokes an action as <paramref name="invocation"/> says (with per-run retry settings); returns the run's id.</summary>
    public async Task<string> InvokeAsync(string ns, string action, RunInvocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var (payload, idempotencyKey, delayMs) = (invocation.Payload, invocation.IdempotencyKey, invocation.DelayMs);
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateName(action);
        ActionLimits.ValidatePayload(payload);
        ActionLimits.ValidateIdempotencyKey(idempotencyKey);
        ActionLimits.ValidateRange(delayMs, 0, ActionLimits.MaxDelayMs, "DelayMs");
        var count = await PartitionsAsync(ns, action, cancellationToken).ConfigureAwait(false);
        var partition = idempotencyKey is not null ? PartitionOfKey(idempotencyKey, count)
            : count == 1 ? 0 : (int)((uint)Interlocked.Increment(ref roundRobin) % (uint)count);
        if (invocation.MaxRetries is { } retries)
        {
            ActionLimits.ValidateRange(retries, 0, ActionLimits.MaxRetries, "MaxRetries");
        }
        if (invocation.RetryDelayMs is { } retryDelay)
        {
            ActionLimits.ValidateRange(retryDelay, 0, ActionLimits.MaxDelayMs, "RetryDelayMs");
        }
        return await Dispatch(ns, action, partition).Invoke(invocation).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The run an invoke of <paramref name="payload"/> with this idempotency key would answer with while the key's
    /// retention lasts, or null; creates nothing (routed as an invoke with that key is).
    /// </summary>
    public async Task<string?> RunOfIdempotencyKeyAsync(string ns, string action, string idempotencyKey, byte[] payload, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateName(action);
        ActionLimits.ValidateIdempotencyKey(idempotencyKey);
        var count = await PartitionsAsync(ns, action, cancellationToken).ConfigureAwait(false);
        return await Dispatch(ns, action, PartitionOfKey(idempotencyKey, count)).RunOfKey(idempotencyKey, payload).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a run invoked with <paramref name="idempotencyKey"/> has left the line of runs that never started,
    /// waiting up to <paramref name="blockMs"/> (at most <see cref="GrainWaits.MaxWaitMs"/>); false while it still waits
    /// for its first start. Routed as the invoke with that key was.
    /// </summary>
    public async Task<bool> WaitForFirstStartAsync(string ns, string action, string idempotencyKey, string runId, int blockMs, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateName(action);
        ActionLimits.ValidateIdempotencyKey(idempotencyKey);
        var count = await PartitionsAsync(ns, action, cancellationToken).ConfigureAwait(false);
        return await Dispatch(ns, action, PartitionOfKey(idempotencyKey, count)).WaitForFirstStart(runId, blockMs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The partition that holds an idempotency key: an invoke with it and a lookup of it must agree.</summary>
    private static int PartitionOfKey(string idempotencyKey, int count) => count == 1 ? 0 : (int)(StableHash.Of(idempotencyKey) % (uint)count);

    /// <summary>A run; throws <see cref="RunNotFoundException"/> when there is none.</summary>
    public async Task<ActionRun> GetRunAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateRunId(runId);
        return await Run(ns, runId).Get().WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw RunMissing(ns, runId);
    }

    /// <summary>
    /// Waits until the run finished (pushed by the run grain, not polled) and returns it; throws
    /// <see cref="RunWaitTimeoutException"/> when <paramref name="timeout"/> passed first (null: no limit).
    /// </summary>
    public async Task<ActionRun> WaitAsync(string ns, string runId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateRunId(runId);
        var deadline = timeout is { } t ? Environment.TickCount64 + (long)t.TotalMilliseconds : long.MaxValue;
        var grain = Run(ns, runId);
        while (true)
        {
            var remaining = deadline - Environment.TickCount64;
            var run = await grain.Wait((int)Math.Clamp(remaining, 0, GrainWaits.MaxWaitMs), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false)
                ?? throw RunMissing(ns, runId);
            if (run.Status.IsFinished())
            {
                return run;
            }
            if (deadline - Environment.TickCount64 <= 0)
            {
                throw new RunWaitTimeoutException($"Run {ns}/{runId} had not finished after {timeout}: it is {run.Status}.", run.Status);
            }
        }
    }

    /// <summary>Cancels a run unless it finished; returns whether this call cancelled it.</summary>
    public async Task<bool> CancelAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateRunId(runId);
        var run = Run(ns, runId);
        if (await run.Get().WaitAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            throw RunMissing(ns, runId);
        }
        return await run.Cancel().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a finished run again: a new run of the same action with the same payload and priority; returns its id. The
    /// new run's idempotency key is <c>retry:{runId}</c>, so retrying one run twice (a double click, a resent call)
    /// gives the same new run; to try again after that one failed, retry it. Throws
    /// <see cref="RunNotFinishedException"/> for a run still pending, running or retrying.
    /// </summary>
    public async Task<string> RetryAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        var run = await GetRunAsync(ns, runId, cancellationToken).ConfigureAwait(false);
        if (!run.Status.IsFinished())
        {
            throw new RunNotFinishedException($"Run {ns}/{runId} is {run.Status}; only a finished run can be retried (cancel it first).", run.Status);
        }
        var invocation = new RunInvocation { Payload = run.Payload, Priority = run.Priority, IdempotencyKey = RetryKey(runId) };
        return await InvokeAsync(ns, run.Action, invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Run and schedule events of <paramref name="ns"/> as they happen (only of <paramref name="action"/> /
    /// <paramref name="runId"/> when given), pushed by the namespace's event hub; ends when cancelled. Events are for
    /// watching: one missed while the watcher reconnects is not replayed (read the run for its state).
    /// </summary>
    public async IAsyncEnumerable<ActionEvent> WatchAsync(string ns, string? action = null, string? runId = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var watch = await SubscribeAsync(ns, action, runId, cancellationToken).ConfigureAwait(false);
        await foreach (var e in watch.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>
    /// Subscribes to the events of <paramref name="ns"/> and returns once subscribed: every event published after this
    /// returned is delivered (while the watch is read and the process lives). Dispose the watch to end it.
    /// </summary>
    public Task<ActionEventWatch> SubscribeAsync(string ns, string? action = null, string? runId = null, CancellationToken cancellationToken = default)
        => ActionEventWatch.StartAsync(grains, ns, action, runId, cancellationToken);

    /// <summary>The idempotency key of the run that retries <paramref name="runId"/>.</summary>
    public static string RetryKey(string runId) => "retry:" + runId;

    /// <summary>One page of runs, newest first (cursor from the previous page's <see cref="RunPage.NextCursor"/>).</summary>
    public async Task<RunPage> ListRunsAsync(string ns, RunFilter? filter = null, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        filter ??= new RunFilter();
        ActionLimits.ValidateRange(limit, 1, ActionLimits.MaxBatch, "Limit");
        var (beforeMs, beforeId) = ParseCursor(cursor);
        var actions = filter.Action is { } one ? [one] : await grains.GetGrain<IActionCatalogGrain>(ns).List().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (filter.Action is not null)
        {
            ActionLimits.ValidateName(filter.Action);
        }
        var calls = new List<Task<RunSummary[]>>();
        foreach (var action in actions)
        {
            int count;
            try
            {
                count = await PartitionsAsync(ns, action, cancellationToken).ConfigureAwait(false);
            }
            catch (ActionNotFoundException) when (filter.Action is null)
            {
                continue;
            }
            for (var p = 0; p < count; p++)
            {
                // One more than the page: whether another page follows is known from any one partition too.
                calls.Add(Dispatch(ns, action, p).List(filter, beforeMs, beforeId, limit + 1));
            }
        }
        var pages = await Task.WhenAll(calls).WaitAsync(cancellationToken).ConfigureAwait(false);
        var all = pages.SelectMany(p => p).OrderByDescending(r => r.SubmittedAtMs).ThenByDescending(r => r.RunId, StringComparer.Ordinal).Take(limit + 1).ToList();
        var more = all.Count > limit;
        var runs = all.Take(limit).ToList();
        return new RunPage(runs, more ? $"{runs[^1].SubmittedAtMs.ToString(CultureInfo.InvariantCulture)}:{runs[^1].RunId}" : null);
    }

    /// <summary>Run counts of one action, or of every registered action of the namespace.</summary>
    public async Task<ActionStats> StatsAsync(string ns, string? action = null, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        var actions = action is not null ? [action] : await grains.GetGrain<IActionCatalogGrain>(ns).List().WaitAsync(cancellationToken).ConfigureAwait(false);
        var total = new ActionStats();
        foreach (var a in actions)
        {
            ActionLimits.ValidateName(a);
            int count;
            try
            {
                count = await PartitionsAsync(ns, a, cancellationToken).ConfigureAwait(false);
            }
            catch (ActionNotFoundException) when (action is null)
            {
                continue;
            }
            var all = await Task.WhenAll(Enumerable.Range(0, count).Select(p => Dispatch(ns, a, p).Stats())).WaitAsync(cancellationToken).ConfigureAwait(false);
            total = all.Aggregate(total, (x, y) => x.Add(y));
        }
        return total;
    }

    /// <summary>The namespace's workers.</summary>
    public Task<WorkerInfo[]> ListWorkersAsync(string ns, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        return grains.GetGrain<IActionWorkersGrain>(ns).List().WaitAsync(cancellationToken);
    }

    /// <summary>How many dispatch partitions the action has (throws <see cref="ActionNotFoundException"/> when not registered).</summary>
    public async ValueTask<int> PartitionsAsync(string ns, string action, CancellationToken cancellationToken = default)
    {
        if (partitions.TryGetValue((ns, action), out var known))
        {
            return known;
        }
        var definition = await grains.GetGrain<IActionGrain>(ActionLimits.ActionKey(ns, action)).Get().WaitAsync(cancellationToken).ConfigureAwait(false)
            ?? throw NotRegistered(ns, action);
        // Fixed at the first registration: safe to keep for the process's life.
        partitions[(ns, action)] = definition.Partitions;
        return definition.Partitions;
    }

    /// <summary>A dispatch partition grain.</summary>
    public IActionDispatchGrain Dispatch(string ns, string action, int partition)
        => grains.GetGrain<IActionDispatchGrain>(ActionLimits.DispatchKey(ns, action, partition));

    /// <summary>The namespace's worker registry.</summary>
    public IActionWorkersGrain Workers(string ns) => grains.GetGrain<IActionWorkersGrain>(ns);

    /// <summary>A run grain.</summary>
    public IActionRunGrain Run(string ns, string runId) => grains.GetGrain<IActionRunGrain>(ActionLimits.RunKey(ns, runId));

    private static (long BeforeMs, string? BeforeId) ParseCursor(string? cursor)
    {
        if (cursor is null)
        {
            return (long.MaxValue, null);
        }
        var colon = cursor.IndexOf(':');
        if (colon <= 0 || !long.TryParse(cursor.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            throw new ActionArgumentException($"Cursor '{cursor}' is not one this API issued.");
        }
        var id = cursor[(colon + 1)..];
        ActionLimits.ValidateRunId(id);
        return (ms, id);
    }

    private static ActionNotFoundException NotRegistered(string ns, string action)
        => new($"Action '{action}' is not registered in namespace '{ns}'.");

    private static RunNotFoundException RunMissing(string ns, string runId)
        => new($"Run {runId} does not exist in namespace '{ns}' (never invoked, or removed after its retention).");
}
