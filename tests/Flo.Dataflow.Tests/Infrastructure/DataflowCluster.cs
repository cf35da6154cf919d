using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests.Infrastructure;

/// <summary>One two-silo cluster (memory storage) shared by every cluster test class of the project.</summary>
[CollectionDefinition(Name)]
public sealed class DataflowCluster : ICollectionFixture<TwoSiloMemory>
{
    public const string Name = "dataflow-cluster";
}

/// <summary>Runs flows on a cluster, each in a namespace of its own (node type names are unique per namespace).</summary>
public static class FlowRuns
{
    /// <summary>How long any one flow of these tests may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static string NewNamespace() => "flow-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs <paramref name="flow"/> until it finishes (hosting its node types here).</summary>
    public static async Task<FlowRunInfo> RunAsync(this FloClient client, FlowDefinition flow, FlowRunOptions? options = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await client.Flow.RunUntilCompleteAsync(flow, (options ?? new FlowRunOptions()) with { Namespace = options?.Namespace ?? NewNamespace() }, timeout.Token);
    }
}
