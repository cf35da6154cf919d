using System.Text.Json;
using Flo.Actions;
using Flo.Calls;
using Microsoft.Extensions.Logging;

namespace Flo.Dataflow;

/// <summary>
/// Flows through <see cref="FloClient.Flow"/>: start a built flow as a run of grains, wait for it, watch its events,
/// inspect its nodes, cancel it.
/// <code>
/// var result = await client.Flow.RunUntilCompleteAsync(flow, new FlowRunOptions { StopAt = 3 });
/// var value = result.ValueOf&lt;int&gt;("result");
/// </code>
/// Failures are typed: <see cref="FlowDefinitionException"/> (and its kinds), <see cref="FlowArgumentException"/>,
/// <see cref="FlowRunNotFoundException"/>, <see cref="FlowRunWaitTimeoutException"/>.
/// </summary>
public sealed class FlowClient
{
    private readonly ActionClient actions;
    private readonly IGrainFactory grains;
    private readonly string defaultNamespace;

    internal FlowClient(IGrainFactory grains, ActionClient actions, string defaultNamespace)
    {
        this.grains = grains;
        this.actions = actions;
        this.defaultNamespace = defaultNamespace;
        Api = new FlowApi(grains);
    }

    internal FlowApi Api { get; }

    /// <summary>
    /// Starts a run of <paramref name="flow"/>: registers its node types' actions, starts a worker for them in this
    /// process (unless <see cref="FlowRunOptions.HostNodes"/> is false) and the run's grain. Dispose the returned
    /// <see cref="FlowRun"/> to stop that worker.
    /// </summary>
    public async Task<FlowRun> StartAsync(FlowDefinition flow, FlowRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        options ??= new FlowRunOptions();
        var ns = options.Namespace ?? defaultNamespace;
        var runId = options.RunId ?? FlowLimits.NewRunId();
        FlowLimits.ValidateNamespace(ns);
        FlowLimits.ValidateRunId(runId);
        FlowWorker? worker = null;
        try
        {
            using var scope = CallScope.Enter(cancellationToken);
            if (options.HostNodes)
            {
                worker = new FlowWorker(actions, grains, (options.Worker ?? new FlowWorkerOptions()) with { Namespace = ns }, null).Host(flow);
                await worker.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Registered (if not yet) so the nodes' generations wait for a worker instead of failing.
                foreach (var type in flow.NodeTypes)
                {
                    await actions.Api.RegisterAsync(ns, FlowWorker.Registration(type.Options).ToDefinition(FlowLimits.ActionName(type.Name)), keepExisting: true, cancellationToken).ConfigureAwait(false);
                }
            }
            var start = new FlowRunStart
            {
                Graph = flow.Graph,
                StopAt = options.StopAt,
                StopAtNode = options.StopAtNode is { } limits ? new Dictionary<string, FlowGeneration>(limits) : new Dictionary<string, FlowGeneration>(),
                TerminateOnNodeError = options.TerminateOnNodeError,
            };
            await Api.StartAsync(ns, runId, start, cancellationToken).ConfigureAwait(false);
            return new FlowRun(this, ns, runId, worker);
        }
        catch
        {
            if (worker is not null)
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="flow"/> until it finishes (seed: <c>f.run_until_complete(...)</c>) and returns how it ended:
    /// <see cref="FlowRunStatus.Completed"/>, <see cref="FlowRunStatus.LimitReached"/> (a result, not an error) or
    /// <see cref="FlowRunStatus.Failed"/> (see <see cref="FlowRunInfo.NodeErrors"/>). The run is cancelled if
    /// <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public async Task<FlowRunInfo> RunUntilCompleteAsync(FlowDefinition flow, FlowRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var run = await StartAsync(flow, options, cancellationToken).ConfigureAwait(false);
        try
        {
            return await run.WaitAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            try
            {
                await run.CancelAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The caller gave up; the run stays as it is if it cannot be reached.
            }
            throw;
        }
    }

    /// <summary>A run; throws <see cref="FlowRunNotFoundException"/> when there is none.</summary>
    public Task<FlowRunInfo> GetAsync(string runId, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return Api.GetAsync(Ns(options), runId, cancellationToken);
    }

    /// <summary>Waits until the run finished; throws <see cref="FlowRunWaitTimeoutException"/> when <paramref name="timeout"/> passed first.</summary>
    public Task<FlowRunInfo> WaitAsync(string runId, TimeSpan? timeout = null, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return Api.WaitAsync(Ns(options), runId, timeout, cancellationToken);
    }

    /// <summary>Cancels a run unless it finished; returns whether this call cancelled it.</summary>
    public Task<bool> CancelAsync(string runId, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return Api.CancelAsync(Ns(options), runId, cancellationToken);
    }

    /// <summary>A run's events as they happen (node generations started, completed, failed; the run's end), ending after the run finished.</summary>
    public IAsyncEnumerable<FlowEvent> WatchAsync(string runId, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
        => Api.WatchAsync(Ns(options), runId, cancellationToken);

    /// <summary>Every node of a run in detail (generation, status, last value as JSON, state, recent runs).</summary>
    public Task<IReadOnlyList<FlowNodeInfo>> GetNodesAsync(string runId, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return Api.NodesAsync(Ns(options), runId, cancellationToken);
    }

    /// <summary>One node of a run in detail.</summary>
    public Task<FlowNodeInfo> GetNodeAsync(string runId, string node, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return Api.NodeAsync(Ns(options), runId, node, cancellationToken);
    }

    /// <summary>
    /// The namespace's runs, newest first, <paramref name="limit"/> (1 to 1,000) at a time, only those with
    /// <paramref name="status"/> if given; pass the page's <see cref="FlowRunPage.NextCursor"/> as <paramref name="cursor"/>
    /// for the next. A run's status here follows its own shortly after it changes (<see cref="GetAsync"/> is exact).
    /// </summary>
    public Task<FlowRunPage> ListRunsAsync(FlowRunStatus? status = null, int limit = 50, string? cursor = null, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return Api.ListRunsAsync(Ns(options), status, limit, cursor, cancellationToken);
    }

    /// <summary>
    /// Deletes a finished run with its nodes and the values it passed by reference; throws
    /// <see cref="FlowRunNotFinishedException"/> while it runs (cancel it first) and <see cref="FlowRunNotFoundException"/>
    /// when there is none.
    /// </summary>
    public Task DeleteAsync(string runId, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return Api.DeleteAsync(Ns(options), runId, cancellationToken);
    }

    /// <summary>
    /// The value of output <paramref name="port"/> (0: the whole value) of a node's last completed generation as
    /// <typeparamref name="T"/>, read from the KV store when it was passed by reference (<see cref="FlowValueRefs"/>;
    /// <c>FlowRunInfo.ValueOf</c> and <c>FlowNodeInfo.ValueJson</c> show the reference itself); default when it has none.
    /// </summary>
    /// <exception cref="FlowValueMissingException">The referenced value was deleted.</exception>
    public async Task<T?> GetValueAsync<T>(string runId, string node, int port = 0, FlowCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var info = await GetNodeAsync(runId, node, options, cancellationToken).ConfigureAwait(false);
        if (port < 0 || port >= info.OutputsJson.Count)
        {
            return default;
        }
        using var scope = CallScope.Enter(cancellationToken);
        var json = await FlowValueRefs.ResolveAsync(new Kv.KvApi(grains), Ns(options), info.OutputsJson[port], cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<T>(json, FlowJson.Options);
    }

    /// <summary>A worker that runs node types in this process for flows started anywhere (see <see cref="FlowWorker"/>).</summary>
    public FlowWorker NewWorker(FlowWorkerOptions? options = null, ILogger? logger = null)
        => new(actions, grains, options ?? new FlowWorkerOptions(), logger);

    private string Ns(FlowCallOptions? options) => options?.Namespace ?? defaultNamespace;
}
