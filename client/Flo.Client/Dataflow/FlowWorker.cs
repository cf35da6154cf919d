using Flo.Actions;
using Flo.Dataflow.Internal;
using Microsoft.Extensions.Logging;

namespace Flo.Dataflow;

/// <summary>
/// Runs node types in this process: each node type is the handler of action <c>flow:{type}</c> on an
/// <see cref="ActionWorker"/>, so node generations are leased, heartbeated, timed out and retried like any run, and a
/// flow can span every process that hosts some of its node types.
/// <code>
/// await using var worker = client.Flow.NewWorker().Host(flow);
/// await worker.StartAsync();
/// </code>
/// <c>client.Flow.StartAsync</c> starts one for the flow by itself unless told not to (<see cref="FlowRunOptions.HostNodes"/>).
/// </summary>
public sealed class FlowWorker : IAsyncDisposable
{
    private readonly ActionClient actions;
    private readonly IGrainFactory grains;
    private readonly FlowWorkerOptions options;
    private readonly ILogger? logger;
    private readonly Dictionary<string, NodeType> types = new(StringComparer.Ordinal);
    private ActionWorker? worker;

    internal FlowWorker(ActionClient actions, IGrainFactory grains, FlowWorkerOptions options, ILogger? logger)
    {
        this.actions = actions;
        this.grains = grains;
        this.options = options;
        this.logger = logger;
        Namespace = options.Namespace ?? actions.DefaultNamespace;
        FlowLimits.ValidateNamespace(Namespace);
    }

    /// <summary>The namespace whose flows it serves.</summary>
    public string Namespace { get; }

    /// <summary>The node types it hosts.</summary>
    public IReadOnlyCollection<NodeType> NodeTypes => types.Values;

    /// <summary>The underlying action worker's id (null before it started).</summary>
    public string? WorkerId => worker?.WorkerId;

    /// <summary>Hosts <paramref name="type"/> (before the worker starts); a second type with the same name is refused.</summary>
    public FlowWorker Host(NodeType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (worker is not null)
        {
            throw new InvalidOperationException("Host node types before the worker starts.");
        }
        if (types.TryGetValue(type.Name, out var hosted) && !ReferenceEquals(hosted, type))
        {
            throw new FlowArgumentException($"This worker already hosts another node type called '{type.Name}'.");
        }
        types[type.Name] = type;
        return this;
    }

    /// <summary>Hosts every node type of <paramref name="flow"/>.</summary>
    public FlowWorker Host(FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        foreach (var type in flow.NodeTypes)
        {
            Host(type);
        }
        return this;
    }

    /// <summary>Registers the node types' actions (with their <see cref="NodeOptions"/>) and starts running their generations.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (types.Count == 0)
        {
            throw new InvalidOperationException("The worker hosts no node type: call Host(...) before StartAsync.");
        }
        worker = new ActionWorker(actions, new ActionWorkerOptions(
            Concurrency: options.Concurrency,
            CpuConcurrency: options.CpuConcurrency,
            WorkerId: options.WorkerId,
            StopTimeout: options.StopTimeout ?? TimeSpan.FromSeconds(5),
            Namespace: Namespace), logger);
        foreach (var type in types.Values)
        {
            var hosted = type;
            var threshold = options.ValueByReferenceBytes;
            worker.Action(FlowLimits.ActionName(type.Name), ctx => NodeExecution.RunAsync(hosted, ctx, grains, threshold),
                new ActionHandlerOptions(CpuBound: type.Options.CpuBound, Register: Registration(type.Options)));
        }
        await worker.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops: running generations get <see cref="FlowWorkerOptions.StopTimeout"/> to finish, then are handed back.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => worker?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (worker is not null)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>How a node type's action is registered: its timeout, retries for lost workers (quick, fixed delay), retention.</summary>
    internal static ActionRegisterOptions Registration(NodeOptions options) => new(
        TimeoutMs: (long)options.Timeout.TotalMilliseconds,
        MaxRetries: options.MaxRetries,
        RetryDelayMs: 200,
        Backoff: 1,
        RetentionMs: (long)options.Retention.TotalMilliseconds);
}
