namespace Flo.Dataflow;

/// <summary>
/// Node types a silo runs itself (registered with <c>AddFloFlowNodes</c>, or found in
/// <c>Cluster:Dataflow:NodeAssemblies</c>): a node grain whose type is found here calls it in the silo instead of
/// invoking the type's action, so such generations need no worker. A type not found here goes to workers as before.
/// </summary>
/// <remarks>
/// A contract (not the implementation, which needs the node types' compiled delegates from <c>Flo.Client</c>) so the
/// grains depend on nothing but the interface: a silo without any registered node type has no executor at all.
/// </remarks>
public interface IFlowNodeExecutor
{
    /// <summary>
    /// Whether this silo runs <paramref name="nodeType"/>; if so, how long one attempt may take and how many times an
    /// attempt that timed out or was lost with its silo is tried again (the node type's <c>NodeOptions</c>).
    /// </summary>
    bool TryGetNodeType(string nodeType, out TimeSpan timeout, out int maxRetries);

    /// <summary>
    /// Runs one generation in this process and returns its <see cref="NodeRunResult"/>: an exception from the node's
    /// code is a result with <see cref="NodeRunResult.Error"/>, not a thrown one. Cancelled by <paramref name="cancellationToken"/>.
    /// </summary>
    Task<NodeRunResult> RunAsync(NodeRunPayload payload, int attempt, CancellationToken cancellationToken);
}
