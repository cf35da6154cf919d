using System.Collections.Concurrent;
using System.Reflection;
using Flo.Actions;
using Flo.Dataflow;
using Flo.GrainInterfaces.Diagnostics;
using Flo.Kv;
using Flo.Management;
using Flo.Queues;
using Flo.Schedules;
using Flo.Streams;
using Orleans.Concurrency;

namespace Flo.Hosting.Security;

/// <summary>
/// What a grain method called from an Orleans client needs from the client's token: which namespace (from the target
/// grain's key) and whether read or write access. An explicit table of the platform's grain interfaces, each with the
/// methods that only read; everything else (Orleans' own grains, a service's own grains) is cluster-wide and needs a
/// token granting <c>*</c>. Looked up once per method (<see cref="MethodInfo"/>), never per call.
/// </summary>
internal static class GrainAccessRules
{
    /// <summary>Where the namespace of a call comes from.</summary>
    public enum Scope
    {
        /// <summary>The target's key up to its first '/' (<c>ns/key</c>, <c>ns/queue/partition</c>, ...).</summary>
        KeyPrefix,

        /// <summary>The target's whole key is the namespace (the namespace's catalogs, event hub and worker list).</summary>
        WholeKey,

        /// <summary>No namespace: the whole cluster, which needs a token granting <c>*</c>.</summary>
        Cluster,

        /// <summary>Any valid token (a client's own plumbing: the cluster's gateways, the next page of an enumeration it started).</summary>
        AnyToken,

        /// <summary>No token needed: Orleans cancelling a request its sender already made (it names the sender and the message).</summary>
        Open,
    }

    /// <summary>What one method needs; <see cref="Operation"/> names it in errors (<c>IKvKeyGrain.Put</c>).</summary>
    public sealed record Rule(Scope Scope, bool Write, string Operation);

    private static readonly Dictionary<Type, (Scope Scope, string[] Reads)> Platform = new()
    {
        [typeof(IKvKeyGrain)] = (Scope.KeyPrefix, [nameof(IKvKeyGrain.Get), nameof(IKvKeyGrain.GetOrWait), nameof(IKvKeyGrain.History), nameof(IKvKeyGrain.WaitForVersionsAfter)]),
        // A dequeue leases messages (it changes the queue): a write, as is a stream group read (it moves the group's cursor).
        [typeof(IQueuePartitionGrain)] = (Scope.KeyPrefix, [nameof(IQueuePartitionGrain.Peek), nameof(IQueuePartitionGrain.DlqList), nameof(IQueuePartitionGrain.Stats),
            nameof(IQueuePartitionGrain.GetSettings), nameof(IQueuePartitionGrain.WaitForVisible)]),
        [typeof(IStreamPartitionGrain)] = (Scope.KeyPrefix, [nameof(IStreamPartitionGrain.Read), nameof(IStreamPartitionGrain.ReadBatch), nameof(IStreamPartitionGrain.ReadTail),
            nameof(IStreamPartitionGrain.ReadReverse), nameof(IStreamPartitionGrain.LastId), nameof(IStreamPartitionGrain.CountAfter), nameof(IStreamPartitionGrain.Info),
            nameof(IStreamPartitionGrain.GetSettings)]),
        [typeof(IStreamGroupGrain)] = (Scope.KeyPrefix, [nameof(IStreamGroupGrain.Pending), nameof(IStreamGroupGrain.Info), nameof(IStreamGroupGrain.DeadLetters)]),
        [typeof(IActionGrain)] = (Scope.KeyPrefix, [nameof(IActionGrain.Get)]),
        [typeof(IActionDispatchGrain)] = (Scope.KeyPrefix, [nameof(IActionDispatchGrain.List), nameof(IActionDispatchGrain.Stats), nameof(IActionDispatchGrain.WaitForReady), nameof(IActionDispatchGrain.RunOfKey), nameof(IActionDispatchGrain.WaitForFirstStart)]),
        [typeof(IActionRunGrain)] = (Scope.KeyPrefix, [nameof(IActionRunGrain.Get), nameof(IActionRunGrain.Wait)]),
        [typeof(IScheduleGrain)] = (Scope.KeyPrefix, [nameof(IScheduleGrain.Get)]),
        [typeof(IFlowRunGrain)] = (Scope.KeyPrefix, [nameof(IFlowRunGrain.Get), nameof(IFlowRunGrain.Wait), nameof(IFlowRunGrain.ReadEvents)]),
        [typeof(IFlowNodeGrain)] = (Scope.KeyPrefix, [nameof(IFlowNodeGrain.Snapshot), nameof(IFlowNodeGrain.ReadParts), nameof(IFlowNodeGrain.Get)]),
        [typeof(IKvScanGrain)] = (Scope.WholeKey, [nameof(IKvScanGrain.Scan)]),
        [typeof(IActionCatalogGrain)] = (Scope.WholeKey, [nameof(IActionCatalogGrain.List)]),
        [typeof(IScheduleCatalogGrain)] = (Scope.WholeKey, [nameof(IScheduleCatalogGrain.List)]),
        [typeof(INamespaceCatalogGrain)] = (Scope.WholeKey, [nameof(INamespaceCatalogGrain.List), nameof(INamespaceCatalogGrain.Counts)]),
        [typeof(IActionWorkersGrain)] = (Scope.WholeKey, [nameof(IActionWorkersGrain.List)]),
        [typeof(IFlowRunIndexGrain)] = (Scope.WholeKey, [nameof(IFlowRunIndexGrain.List)]),
        // Watching a namespace's events reads it (as the HTTP event stream does); publishing is the platform's own.
        [typeof(IActionEventsGrain)] = (Scope.WholeKey, [nameof(IActionEventsGrain.Subscribe), nameof(IActionEventsGrain.Unsubscribe), nameof(IActionEventsGrain.Throughput)]),
        // Every namespace's name, every silo's call counts, the health ping: cluster-wide.
        [typeof(INamespaceDirectoryGrain)] = (Scope.Cluster, [nameof(INamespaceDirectoryGrain.List)]),
        [typeof(IClusterCallsGrain)] = (Scope.Cluster, [nameof(IClusterCallsGrain.Calls)]),
        [typeof(IPingGrain)] = (Scope.Cluster, [nameof(IPingGrain.Ping), nameof(IPingGrain.Where)]),
    };

    /// <summary>
    /// Orleans' management grain: its getters read the cluster (cluster-wide read), the rest act on it. The silo list is
    /// what every client needs to learn the cluster's gateways (<c>LearningGatewayListProvider</c>), so any valid token
    /// may read it.
    /// </summary>
    private static readonly HashSet<string> MembershipReads = [nameof(IManagementGrain.GetHosts), nameof(IManagementGrain.GetDetailedHosts)];

    private static readonly ConcurrentDictionary<MethodInfo, Rule> Cache = new();

    /// <summary>The platform's interfaces in the table, for the test that keeps it complete.</summary>
    internal static IReadOnlyCollection<Type> PlatformInterfaces => Platform.Keys;

    /// <summary>The read methods listed for <paramref name="grainInterface"/>, for the test that checks each exists.</summary>
    internal static IReadOnlyList<string> ReadsOf(Type grainInterface) => Platform[grainInterface].Reads;

    /// <summary>What <paramref name="method"/> (a grain interface's method) needs.</summary>
    public static Rule Of(MethodInfo method) => Cache.GetOrAdd(method, static m => Inspect(m));

    private static Rule Inspect(MethodInfo method)
    {
        var type = method.DeclaringType ?? typeof(object);
        var operation = $"{type.Name}.{method.Name}";
        var readOnly = method.IsDefined(typeof(ReadOnlyAttribute), inherit: true);
        if (Platform.TryGetValue(type, out var entry))
        {
            return new Rule(entry.Scope, !readOnly && !entry.Reads.Contains(method.Name), operation);
        }
        if (type == typeof(IManagementGrain))
        {
            return MembershipReads.Contains(method.Name)
                ? new Rule(Scope.AnyToken, Write: false, operation)
                : new Rule(Scope.Cluster, !method.Name.StartsWith("Get", StringComparison.Ordinal), operation);
        }
        if (typeof(IGrainExtension).IsAssignableFrom(type))
        {
            return type.FullName switch
            {
                "Orleans.Runtime.IGrainCallCancellationExtension" or "Orleans.Runtime.ICancellationSourcesExtension" => new Rule(Scope.Open, Write: false, operation),
                "Orleans.Runtime.IAsyncEnumerableGrainExtension" => new Rule(Scope.AnyToken, Write: false, operation),
                // Deactivating or migrating grains, and whatever else an extension does: the cluster's operator's.
                _ => new Rule(Scope.Cluster, Write: true, operation),
            };
        }
        // Orleans' own grains and a service's own: cluster-wide, read only where the method says so.
        return new Rule(Scope.Cluster, !readOnly, operation);
    }
}
