using Flo.Actions;
using Flo.Queues;
using Flo.Schedules;
using Flo.Streams;

namespace Flo.Management;

/// <summary>
/// The management operations (the task executor's manager: stats, listings, health), shared by the client's
/// <c>client.Management</c> and the HTTP API so both read alike. Everything here reads; runs and schedules are changed
/// through <see cref="ActionApi"/> and <see cref="ScheduleApi"/>.
/// </summary>
/// <remarks>
/// Queues and streams are found through their namespace's <see cref="INamespaceCatalogGrain"/> (each partition enters
/// its name once, on its first write), then asked for their counts in parallel, a page of names at a time. Cluster
/// figures come from Orleans' <see cref="IManagementGrain"/>; calls per second are the received-message counters'
/// growth between two readings through this instance.
/// </remarks>
public sealed class ManagementApi(IGrainFactory grains)
{
    /// <summary>Minutes of throughput in an overview.</summary>
    public const int ThroughputMinutes = 15;

    /// <summary>Most queues or streams in one listing page.</summary>
    public const int MaxPage = 1000;

    private readonly ActionApi actions = new(grains);
    private readonly ScheduleApi schedules = new(grains);
    private readonly QueueApi queues = new(grains);
    private readonly StreamApi streams = new(grains);
    private readonly CallRateSampler rates = new();

    /// <summary>Every namespace with an action, schedule, queue or stream, in ordinal order.</summary>
    public Task<string[]> NamespacesAsync(CancellationToken cancellationToken = default)
        => grains.GetGrain<INamespaceDirectoryGrain>(INamespaceDirectoryGrain.Key).List().WaitAsync(cancellationToken);

    /// <summary>A namespace at a glance: runs per status, throughput per minute, workers, and how many of each thing.</summary>
    public async Task<NamespaceOverview> OverviewAsync(string ns, CancellationToken cancellationToken = default)
    {
        ActionLimits.ValidateNamespace(ns);
        var runs = actions.StatsAsync(ns, null, cancellationToken);
        var throughput = grains.GetGrain<IActionEventsGrain>(ns).Throughput(ThroughputMinutes).WaitAsync(cancellationToken);
        var workers = actions.ListWorkersAsync(ns, cancellationToken);
        var actionNames = grains.GetGrain<IActionCatalogGrain>(ns).List().WaitAsync(cancellationToken);
        var scheduleStats = schedules.StatsAsync(ns, cancellationToken);
        var counts = grains.GetGrain<INamespaceCatalogGrain>(ns).Counts().WaitAsync(cancellationToken);
        await Task.WhenAll(runs, throughput, workers, actionNames, scheduleStats, counts).ConfigureAwait(false);
        var alive = workers.Result.Where(w => w.Alive).ToList();
        return new NamespaceOverview
        {
            Namespace = ns,
            Runs = runs.Result,
            Throughput = throughput.Result,
            Workers = new WorkerCounts(alive.Count, workers.Result.Length, alive.Sum(w => w.Runs.Count), alive.Sum(w => w.Concurrency)),
            Actions = actionNames.Result.Length,
            Schedules = scheduleStats.Result,
            Queues = counts.Result.Queues,
            Streams = counts.Result.Streams,
        };
    }

    /// <summary>
    /// Up to <paramref name="limit"/> queues of the namespace after <paramref name="after"/> (by name), each with its
    /// depth, in-flight and DLQ counts summed over partitions.
    /// </summary>
    public async Task<IReadOnlyList<QueueOverview>> QueuesAsync(string ns, string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var names = await NamesAsync(ns, CatalogKind.Queue, after, limit, cancellationToken).ConfigureAwait(false);
        var stats = await Task.WhenAll(names.Select(n => queues.StatsAsync(ns, n, cancellationToken))).ConfigureAwait(false);
        return [.. names.Select((n, i) => new QueueOverview(n, stats[i]))];
    }

    /// <summary>
    /// Up to <paramref name="limit"/> streams of the namespace after <paramref name="after"/> (by name), each with its
    /// length and its consumer groups' pending, lag and dead letters.
    /// </summary>
    public async Task<IReadOnlyList<StreamOverview>> StreamsAsync(string ns, string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var names = await NamesAsync(ns, CatalogKind.Stream, after, limit, cancellationToken).ConfigureAwait(false);
        return await Task.WhenAll(names.Select(async name =>
        {
            var info = await streams.InfoAsync(ns, name, cancellationToken).ConfigureAwait(false);
            var groups = await Task.WhenAll(info.Groups.Order(StringComparer.Ordinal).Select(g => streams.GroupInfoAsync(ns, name, g, cancellationToken))).ConfigureAwait(false);
            return new StreamOverview(name, info, [.. groups.Select(g => new StreamGroupOverview(g.Name, g.ConsumerIdleMs.Count, g.Pending, g.Lag, g.DlqSize))]);
        })).ConfigureAwait(false);
    }

    /// <summary>The cluster's active silos with activations, CPU, memory and calls per second.</summary>
    public async Task<ClusterOverview> ClusterAsync(CancellationToken cancellationToken = default)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        var addresses = hosts.Select(h => h.SiloAddress).ToArray();
        var statisticsTask = addresses.Length == 0 ? Task.FromResult(Array.Empty<SiloRuntimeStatistics>()) : management.GetRuntimeStatistics(addresses);
        var callsTask = addresses.Length == 0 ? Task.FromResult(Array.Empty<long>()) : grains.GetGrain<IClusterCallsGrain>(0).Calls(addresses);
        var statistics = await statisticsTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        var calls = await callsTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var silos = new List<SiloOverview>(hosts.Length);
        for (var i = 0; i < hosts.Length; i++)
        {
            var host = hosts[i];
            var stats = i < statistics.Length ? statistics[i] : null;
            var address = host.SiloAddress.ToParsableString();
            long? received = i < calls.Length && calls[i] >= 0 ? calls[i] : null;
            silos.Add(new SiloOverview(
                address, host.SiloName, host.Status.ToString(), stats?.ActivationCount ?? 0, stats?.EnvironmentStatistics.FilteredCpuUsagePercentage,
                stats?.EnvironmentStatistics.FilteredMemoryUsageBytes, received, received is { } r ? rates.Sample(address, r, now) : null,
                host.ProxyPort > 0 ? $"{host.SiloAddress.Endpoint.Address}:{host.ProxyPort}" : null));
        }
        rates.Retain([.. silos.Select(s => s.Address)]);
        silos.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var known = silos.Where(s => s.CallsPerSecond is not null).ToList();
        return new ClusterOverview(silos, silos.Sum(s => (long)s.Activations), known.Count > 0 ? known.Sum(s => s.CallsPerSecond) : null);
    }

    /// <summary>
    /// Whether the cluster answers: active silos from Orleans' membership and one grain call round trip (to a ping grain,
    /// wherever it is placed). Never throws for an unhealthy cluster: it says what failed.
    /// </summary>
    public async Task<ClusterHealth> HealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(cancellationToken).ConfigureAwait(false);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await grains.GetGrain<GrainInterfaces.Diagnostics.IPingGrain>("health").Ping(1).WaitAsync(cancellationToken).ConfigureAwait(false);
            var roundTrip = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return hosts.Count > 0
                ? new ClusterHealth(true, hosts.Count, roundTrip, null)
                : new ClusterHealth(false, 0, roundTrip, "No silo is active in the membership table.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ClusterHealth(false, 0, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<string[]> NamesAsync(string ns, CatalogKind kind, string? after, int limit, CancellationToken cancellationToken)
    {
        ActionLimits.ValidateNamespace(ns);
        ActionLimits.ValidateRange(limit, 1, MaxPage, "Limit");
        return await grains.GetGrain<INamespaceCatalogGrain>(ns).List(kind, string.IsNullOrEmpty(after) ? null : after, limit).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
