using Microsoft.Extensions.Options;

namespace Flo.Dataflow.Internal;

/// <summary>
/// Runs the silo's node types (<see cref="FlowSiloNodeOptions"/>) for the node grains of that silo: the same
/// <see cref="NodeExecution"/> a worker runs, called directly, with the silo's own grain factory for parts and streams.
/// </summary>
internal sealed class SiloNodeExecutor(IOptions<FlowSiloNodeOptions> options, IGrainFactory grains) : IFlowNodeExecutor
{
    private readonly Dictionary<string, NodeType> types = new(options.Value.NodeTypes, StringComparer.Ordinal);
    private readonly int threshold = options.Value.ValueByReferenceBytes;

    public bool TryGetNodeType(string nodeType, out TimeSpan timeout, out int maxRetries)
    {
        if (types.TryGetValue(nodeType, out var type))
        {
            timeout = type.Options.Timeout;
            maxRetries = type.Options.MaxRetries;
            return true;
        }
        timeout = default;
        maxRetries = 0;
        return false;
    }

    public Task<NodeRunResult> RunAsync(NodeRunPayload payload, int attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!types.TryGetValue(payload.NodeType, out var type))
        {
            throw new FlowArgumentException($"This silo does not run node type '{payload.NodeType}'.");
        }
        return NodeExecution.RunAsync(type, payload, attempt, actionRunId: null, grains, threshold, cancellationToken);
    }
}
