using System.Globalization;
using System.Runtime.CompilerServices;

namespace Flo.Dataflow;

/// <summary>
/// The flow run operations over the grains, shared by the client facade and the HTTP API (<c>/v1/ns/{ns}/flows</c>) so
/// both validate and report errors alike.
/// </summary>
public sealed class FlowApi(IGrainFactory grains)
{
    /// <summary>
    /// Starts a run of <paramref name="start"/>'s graph as <paramref name="runId"/> (analyzed again here, so a graph
    /// from anywhere is checked the same way); returns it as it is after the start.
    /// </summary>
    public async Task<FlowRunInfo> StartAsync(string ns, string runId, FlowRunStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        FlowLimits.ValidateNamespace(ns);
        FlowLimits.ValidateRunId(runId);
        if (start.Graph.Nodes.Count > FlowLimits.MaxNodes)
        {
            throw new FlowArgumentException($"A flow has at most {FlowLimits.MaxNodes} nodes; this one has {start.Graph.Nodes.Count}.");
        }
        var graph = FlowGraphAnalysis.Analyze(start.Graph);
        ValidateLimits(start, graph);
        return await Run(ns, runId).Start(start with { Graph = graph }).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A run; throws <see cref="FlowRunNotFoundException"/> when there is none.</summary>
    public async Task<FlowRunInfo> GetAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        Validate(ns, runId);
        return await Run(ns, runId).Get().WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw Missing(ns, runId);
    }

    /// <summary>
    /// What a run was started with: its graph (as built and checked by the client that started it), limits and error
    /// policy; throws <see cref="FlowRunNotFoundException"/> when there is none. Starting it again under another id runs
    /// the same flow (its node types must still be hosted by some worker).
    /// </summary>
    public async Task<FlowRunStart> DefinitionAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        Validate(ns, runId);
        return await Run(ns, runId).Definition().WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw Missing(ns, runId);
    }

    /// <summary>
    /// Waits until the run finished and returns it; throws <see cref="FlowRunWaitTimeoutException"/> when
    /// <paramref name="timeout"/> passed first (null: no limit).
    /// </summary>
    public async Task<FlowRunInfo> WaitAsync(string ns, string runId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Validate(ns, runId);
        var deadline = timeout is { } t ? Environment.TickCount64 + (long)t.TotalMilliseconds : long.MaxValue;
        var grain = Run(ns, runId);
        while (true)
        {
            var remaining = deadline - Environment.TickCount64;
            var run = await grain.Wait((int)Math.Clamp(remaining, 0, GrainWaits.MaxWaitMs), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false)
                ?? throw Missing(ns, runId);
            if (run.Status.IsFinished())
            {
                return run;
            }
            if (deadline - Environment.TickCount64 <= 0)
            {
                throw new FlowRunWaitTimeoutException($"Flow run {ns}/{runId} had not finished after {timeout}: it is {run.Status}.", run.Status);
            }
        }
    }

    /// <summary>Cancels a run unless it finished; returns whether this call cancelled it.</summary>
    public async Task<bool> CancelAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        await GetAsync(ns, runId, cancellationToken).ConfigureAwait(false);
        return await Run(ns, runId).Cancel().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every node of a run in detail (generation, status, last value, state, runs), in definition order.</summary>
    public async Task<IReadOnlyList<FlowNodeInfo>> NodesAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        var run = await GetAsync(ns, runId, cancellationToken).ConfigureAwait(false);
        var nodes = await Task.WhenAll(run.Nodes.Select(n => NodeInfoAsync(ns, runId, n))).WaitAsync(cancellationToken).ConfigureAwait(false);
        return nodes;
    }

    /// <summary>One node of a run in detail; throws <see cref="FlowNodeNotFoundException"/> when the run has no such node.</summary>
    public async Task<FlowNodeInfo> NodeAsync(string ns, string runId, string node, CancellationToken cancellationToken = default)
    {
        FlowLimits.ValidateNodeName(node);
        var run = await GetAsync(ns, runId, cancellationToken).ConfigureAwait(false);
        return await NodeInfoAsync(ns, runId, run.Node(node)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The run's events as they happen, from its start (as far as the run's grain still holds them), ending after the
    /// run finished. Events are for watching: those of an activation lost with its silo are not replayed.
    /// </summary>
    public async IAsyncEnumerable<FlowEvent> WatchAsync(string ns, string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(ns, runId);
        var grain = Run(ns, runId);
        string? epoch = null;
        long after = 0;
        while (true)
        {
            var page = await grain.ReadEvents(after, 256, GrainWaits.MaxWaitMs, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (epoch is not null && epoch != page.Epoch && after > 0)
            {
                // The run's grain moved (a silo was lost) and numbers anew: read the new activation's events from its start.
                after = 0;
                epoch = page.Epoch;
                continue;
            }
            epoch = page.Epoch;
            foreach (var e in page.Events)
            {
                after = e.Seq;
                yield return e;
            }
            if (page.Finished && page.Events.Count == 0)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// A namespace's runs, newest first (by start time), <paramref name="limit"/> (1 to 1,000) at a time, only those with
    /// <paramref name="status"/> if given; <paramref name="cursor"/> is the previous page's <see cref="FlowRunPage.NextCursor"/>.
    /// Statuses are the index's, which follows each run's own shortly after it changes.
    /// </summary>
    public async Task<FlowRunPage> ListRunsAsync(string ns, FlowRunStatus? status = null, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        FlowLimits.ValidateNamespace(ns);
        if (limit is < 1 or > FlowLimits.MaxListLimit)
        {
            throw new FlowArgumentException($"Limit must be 1 to {FlowLimits.MaxListLimit}; got {limit}.");
        }
        if (status is { } s && !Enum.IsDefined(s))
        {
            throw new FlowArgumentException($"Unknown flow run status {(int)s}.");
        }
        var (beforeMs, beforeId) = ParseCursor(cursor);
        var runs = await grains.GetGrain<IFlowRunIndexGrain>(ns).List(status, beforeMs, beforeId, limit + 1).WaitAsync(cancellationToken).ConfigureAwait(false);
        var more = runs.Length > limit;
        var page = more ? runs[..limit] : runs;
        return new FlowRunPage(page, more ? string.Create(CultureInfo.InvariantCulture, $"{page[^1].StartedAtMs}:{page[^1].RunId}") : null);
    }

    /// <summary>
    /// Deletes a finished run: its node grains' state, the values it passed by reference and the run itself, and its
    /// entry in the namespace's listing. Throws <see cref="FlowRunNotFoundException"/> when there is none and
    /// <see cref="FlowRunNotFinishedException"/> while it runs (cancel it first).
    /// </summary>
    public async Task DeleteAsync(string ns, string runId, CancellationToken cancellationToken = default)
    {
        Validate(ns, runId);
        if (!await Run(ns, runId).Delete().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw Missing(ns, runId);
        }
    }

    /// <summary>A run's grain.</summary>
    public IFlowRunGrain Run(string ns, string runId) => grains.GetGrain<IFlowRunGrain>(FlowLimits.FlowRunKey(ns, runId));

    /// <summary>A node's grain.</summary>
    public IFlowNodeGrain Node(string ns, string runId, string node) => grains.GetGrain<IFlowNodeGrain>(FlowLimits.NodeKey(ns, runId, node));

    private async Task<FlowNodeInfo> NodeInfoAsync(string ns, string runId, FlowNodeSummary summary)
        => await Node(ns, runId, summary.Name).Get().ConfigureAwait(false) ?? new FlowNodeInfo { Name = summary.Name, NodeType = summary.NodeType };

    private static void ValidateLimits(FlowRunStart start, FlowGraph graph)
    {
        var names = graph.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (node, limit) in start.StopAtNode)
        {
            if (!names.Contains(node))
            {
                throw new FlowArgumentException($"A limit is set for node '{node}', which is not a node of the flow.");
            }
            ValidateLimit(limit, node);
        }
        if (start.StopAt is { } global)
        {
            ValidateLimit(global, "every node");
        }
    }

    private static void ValidateLimit(FlowGeneration limit, string what)
    {
        if (limit.Main < 0 || limit.Part is < 0)
        {
            throw new FlowArgumentException($"The generation limit of {what} must not be negative; got {limit}.");
        }
        if (limit.Part is not null)
        {
            throw new FlowArgumentException($"The generation limit of {what} is {limit}: limits are final generations, (g,).");
        }
    }

    private static (long BeforeMs, string? BeforeId) ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (long.MaxValue, null);
        }
        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(cursor.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            throw new FlowArgumentException($"Cursor '{(cursor.Length > 64 ? cursor[..64] + "..." : cursor)}' is not one this API issued.");
        }
        var id = cursor[(colon + 1)..];
        FlowLimits.ValidateRunId(id);
        return (ms, id);
    }

    private static void Validate(string ns, string runId)
    {
        FlowLimits.ValidateNamespace(ns);
        FlowLimits.ValidateRunId(runId);
    }

    private static FlowRunNotFoundException Missing(string ns, string runId)
        => new($"Flow run {runId} does not exist in namespace '{ns}'.");
}
