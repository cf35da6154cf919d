namespace Flo.Dataflow;

/// <summary>
/// A started flow run: wait for it, watch it, inspect its nodes, cancel it. Disposing it stops the worker that
/// <see cref="FlowClient.StartAsync"/> started for it (the run itself goes on as long as some worker hosts its nodes).
/// </summary>
public sealed class FlowRun : IAsyncDisposable
{
    private readonly FlowClient client;
    private readonly FlowWorker? worker;
    private readonly FlowCallOptions options;

    internal FlowRun(FlowClient client, string ns, string runId, FlowWorker? worker)
    {
        this.client = client;
        this.worker = worker;
        Namespace = ns;
        RunId = runId;
        options = new FlowCallOptions(ns);
    }

    /// <summary>The run's id.</summary>
    public string RunId { get; }

    /// <summary>Its namespace.</summary>
    public string Namespace { get; }

    /// <summary>Waits until it finished (null: no limit; <see cref="FlowRunWaitTimeoutException"/> after <paramref name="timeout"/>).</summary>
    public Task<FlowRunInfo> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => client.WaitAsync(RunId, timeout, options, cancellationToken);

    /// <summary>The run as it is now.</summary>
    public Task<FlowRunInfo> GetAsync(CancellationToken cancellationToken = default) => client.GetAsync(RunId, options, cancellationToken);

    /// <summary>Cancels it unless it finished.</summary>
    public Task<bool> CancelAsync(CancellationToken cancellationToken = default) => client.CancelAsync(RunId, options, cancellationToken);

    /// <summary>Its events as they happen, ending after it finished.</summary>
    public IAsyncEnumerable<FlowEvent> WatchAsync(CancellationToken cancellationToken = default) => client.WatchAsync(RunId, options, cancellationToken);

    /// <summary>Its nodes in detail.</summary>
    public Task<IReadOnlyList<FlowNodeInfo>> GetNodesAsync(CancellationToken cancellationToken = default) => client.GetNodesAsync(RunId, options, cancellationToken);

    /// <summary>One of its nodes in detail.</summary>
    public Task<FlowNodeInfo> GetNodeAsync(string node, CancellationToken cancellationToken = default) => client.GetNodeAsync(RunId, node, options, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (worker is not null)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }
    }
}
