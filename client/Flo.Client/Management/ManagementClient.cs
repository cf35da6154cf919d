using Flo.Actions;
using Flo.Calls;
using Flo.Schedules;

namespace Flo.Management;

/// <summary>
/// The management API through <see cref="FloClient.Management"/> (the task executor's manager): a namespace's overview
/// (runs per status, throughput per minute, workers, counts), runs by status with paging, run detail, retry and
/// cancel, registered actions, workers, schedules, queue depths and DLQ sizes, stream lengths and group lags, the
/// cluster's silos with activations and calls per second, and health. The same figures the dashboard shows.
/// </summary>
public sealed class ManagementClient
{
    private readonly ManagementApi api;
    private readonly ActionClient actions;
    private readonly ScheduleClient schedules;
    private readonly string defaultNamespace;

    internal ManagementClient(IGrainFactory grains, ActionClient actions, ScheduleClient schedules, string defaultNamespace)
    {
        api = new ManagementApi(grains);
        this.actions = actions;
        this.schedules = schedules;
        this.defaultNamespace = defaultNamespace;
    }

    /// <summary>Every namespace with an action, schedule, queue or stream.</summary>
    public Task<string[]> NamespacesAsync(CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.NamespacesAsync(cancellationToken);
    }

    /// <summary>The namespace's runs per status, run events per minute (last 15 minutes), workers and counts.</summary>
    public Task<NamespaceOverview> OverviewAsync(string? ns = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.OverviewAsync(ns ?? defaultNamespace, cancellationToken);
    }

    /// <summary>The namespace's queues by name (a page of up to <paramref name="limit"/> after <paramref name="after"/>) with depth, in flight and DLQ size.</summary>
    public Task<IReadOnlyList<QueueOverview>> QueuesAsync(string? ns = null, string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.QueuesAsync(ns ?? defaultNamespace, after, limit, cancellationToken);
    }

    /// <summary>The namespace's streams by name (a page) with length and their consumer groups' pending, lag and dead letters.</summary>
    public Task<IReadOnlyList<StreamOverview>> StreamsAsync(string? ns = null, string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.StreamsAsync(ns ?? defaultNamespace, after, limit, cancellationToken);
    }

    /// <summary>The cluster's active silos with activations, CPU, memory and calls per second (since this client's previous reading).</summary>
    public Task<ClusterOverview> ClusterAsync(CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ClusterAsync(cancellationToken);
    }

    /// <summary>Whether the cluster answers (active silos, a grain call round trip); never throws for an unhealthy cluster.</summary>
    public Task<ClusterHealth> HealthAsync(CancellationToken cancellationToken = default) => api.HealthAsync(cancellationToken);

    /// <summary>Runs newest first, by status and action (<see cref="ActionClient.ListRunsAsync"/>).</summary>
    public Task<RunPage> ListRunsAsync(RunFilter? filter = null, RunListOptions? paging = null, CancellationToken cancellationToken = default)
        => actions.ListRunsAsync(filter, paging, cancellationToken);

    /// <summary>A run with its attempts and their errors.</summary>
    public Task<ActionRun> GetRunAsync(string runId, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
        => actions.GetRunAsync(runId, options, cancellationToken);

    /// <summary>Runs a finished run again as a new run (<see cref="ActionClient.RetryAsync"/>); returns the new run's id.</summary>
    public Task<string> RetryRunAsync(string runId, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
        => actions.RetryAsync(runId, options, cancellationToken);

    /// <summary>Cancels a run unless it finished; returns whether this call cancelled it.</summary>
    public Task<bool> CancelRunAsync(string runId, ActionCallOptions? options = null, CancellationToken cancellationToken = default)
        => actions.CancelAsync(runId, options, cancellationToken);

    /// <summary>The namespace's registered actions.</summary>
    public Task<IReadOnlyList<ActionDefinition>> ListActionsAsync(ActionCallOptions? options = null, CancellationToken cancellationToken = default)
        => actions.ListActionsAsync(options, cancellationToken);

    /// <summary>The namespace's workers (alive or recently seen).</summary>
    public Task<WorkerInfo[]> ListWorkersAsync(ActionCallOptions? options = null, CancellationToken cancellationToken = default)
        => actions.ListWorkersAsync(options, cancellationToken);

    /// <summary>The namespace's schedules, soonest due first.</summary>
    public Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(ScheduleCallOptions? options = null, CancellationToken cancellationToken = default)
        => schedules.ListAsync(options, cancellationToken);
}
