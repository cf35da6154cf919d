using System.Text.Json;
using Flo.Calls;

namespace Flo.Actions;

/// <summary>
/// Actions through <see cref="FloClient.Action"/>: <c>await client.Action.RegisterAsync("resize")</c>,
/// <c>var runId = await client.Action.InvokeAsync("resize", payload)</c>, then <c>GetRunAsync</c> or <c>WaitAsync</c>.
/// Runs are executed by workers (<see cref="FloClient.NewActionWorker"/>). Failures are typed:
/// <see cref="ActionArgumentException"/>, <see cref="ActionNotFoundException"/>, <see cref="RunNotFoundException"/>,
/// <see cref="IdempotencyConflictException"/>, <see cref="RunWaitTimeoutException"/> (all <see cref="FloException"/>),
/// and for the transport <see cref="CallOutcomeUnknownException"/> / <see cref="ClusterUnavailableException"/>.
/// </summary>
/// <remarks>
/// An invoke that failed with <see cref="CallOutcomeUnknownException"/> may have created a run: invoke with an
/// idempotency key to make the retry safe (the same key returns the first run's id).
/// </remarks>
public sealed class ActionClient
{
    private readonly ActionApi api;
    private readonly string defaultNamespace;
    private readonly IGrainFactory grains;

    internal ActionClient(IGrainFactory grains, string defaultNamespace)
    {
        api = new ActionApi(grains);
        this.grains = grains;
        this.defaultNamespace = defaultNamespace;
    }

    internal ActionApi Api => api;

    internal string DefaultNamespace => defaultNamespace;

    /// <summary>Registers (or updates) an action; returns the definition in force.</summary>
    public Task<ActionDefinition> RegisterAsync(string name, ActionRegisterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ActionRegisterOptions();
        using var scope = CallScope.Enter(cancellationToken);
        return api.RegisterAsync(options.Namespace ?? defaultNamespace, options.ToDefinition(name), keepExisting: false, cancellationToken);
    }

    /// <summary>Invokes an action with a byte payload; returns the run's id.</summary>
    public Task<string> InvokeAsync(string name, byte[] payload, ActionInvokeOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.InvokeAsync(options?.Namespace ?? defaultNamespace, name, payload, options?.Priority, options?.IdempotencyKey, options?.DelayMs ?? 0, cancellationToken);
    }

    /// <summary>Invokes an action with <paramref name="payload"/> as JSON (web defaults); returns the run's id.</summary>
    public Task<string> InvokeJsonAsync<T>(string name, T payload, ActionInvokeOptions? options = null, CancellationToken cancellationToken = default)
        => InvokeAsync(name, JsonSerializer.SerializeToUtf8Bytes(payload, ActionJson.Options), options, cancellationToken);

    /// <summary>A run (seed: <c>action.status(run_id)</c>); throws <see cref="RunNotFoundException"/> when there is none.</summary>
    public Task<ActionRun> GetRunAsync(string runId, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GetRunAsync(options?.Namespace ?? defaultNamespace, runId, cancellationToken);
    }

    /// <summary>
    /// Waits until the run finished and returns it (the run grain signals it; nothing polls). Throws
    /// <see cref="RunWaitTimeoutException"/> when <paramref name="timeout"/> passed first (null: no limit).
    /// </summary>
    public Task<ActionRun> WaitAsync(string runId, TimeSpan? timeout = null, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.WaitAsync(options?.Namespace ?? defaultNamespace, runId, timeout, cancellationToken);
    }

    /// <summary>Cancels a run unless it finished (a running attempt's worker sees its token cancelled); returns whether this call cancelled it.</summary>
    public Task<bool> CancelAsync(string runId, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.CancelAsync(options?.Namespace ?? defaultNamespace, runId, cancellationToken);
    }

    /// <summary>
    /// Runs a finished run (failed, timed out, cancelled or completed) again: a new run of the same action with the same
    /// payload and priority; returns its id. Retrying the same run twice gives the same new run (its idempotency key is
    /// <c>retry:{runId}</c>). Throws <see cref="RunNotFinishedException"/> for a run that has not finished.
    /// </summary>
    public Task<string> RetryAsync(string runId, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.RetryAsync(options?.Namespace ?? defaultNamespace, runId, cancellationToken);
    }

    /// <summary>Runs matching <paramref name="filter"/>, newest first, one page at a time.</summary>
    public Task<RunPage> ListRunsAsync(RunFilter? filter = null, RunListOptions? paging = null, CancellationToken cancellationToken = default)
    {
        paging ??= new RunListOptions();
        using var scope = CallScope.Enter(cancellationToken);
        return api.ListRunsAsync(paging.Namespace ?? defaultNamespace, filter, paging.Limit, paging.Cursor, cancellationToken);
    }

    /// <summary>Run counts per status of one action, or of all.</summary>
    public Task<ActionStats> StatsAsync(string? action = null, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.StatsAsync(options?.Namespace ?? defaultNamespace, action, cancellationToken);
    }

    /// <summary>An action's definition; throws <see cref="ActionNotFoundException"/> when it is not registered.</summary>
    public Task<ActionDefinition> GetActionAsync(string name, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GetActionAsync(options?.Namespace ?? defaultNamespace, name, cancellationToken);
    }

    /// <summary>Every registered action of the namespace.</summary>
    public Task<IReadOnlyList<ActionDefinition>> ListActionsAsync(ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ListActionsAsync(options?.Namespace ?? defaultNamespace, cancellationToken);
    }

    /// <summary>The namespace's workers (alive or recently seen).</summary>
    public Task<WorkerInfo[]> ListWorkersAsync(ActionCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ListWorkersAsync(options?.Namespace ?? defaultNamespace, cancellationToken);
    }

    /// <summary>
    /// Run events of the namespace as they happen (created, started, retrying, completed, failed, cancelled, timed out),
    /// pushed by the namespace's event hub to an observer of this client. Events are for watching: one missed while the
    /// watcher reconnects is not replayed (read the run for its state). Ends when <paramref name="cancellationToken"/>
    /// is cancelled.
    /// </summary>
    public IAsyncEnumerable<ActionEvent> WatchAsync(ActionWatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ActionWatchOptions();
        return api.WatchAsync(options.Namespace ?? defaultNamespace, options.Action, options.RunId, cancellationToken);
    }
}
