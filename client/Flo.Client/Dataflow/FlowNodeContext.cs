namespace Flo.Dataflow;

/// <summary>
/// The generation a node's code is running, for code that wants to know (<c>FlowNodeContext.Current?.Generation</c>).
/// Set while the node's function runs, on a worker or in a silo.
/// </summary>
public sealed class FlowNodeContext
{
    private static readonly AsyncLocal<FlowNodeContext?> Ambient = new();

    internal FlowNodeContext(string ns, string runId, string node, int generation, int attempt, CancellationToken cancellationToken)
    {
        Namespace = ns;
        RunId = runId;
        Node = node;
        Generation = generation;
        Attempt = attempt;
        CancellationToken = cancellationToken;
    }

    /// <summary>The context of the node code running on this async flow, or null outside node code.</summary>
    public static FlowNodeContext? Current
    {
        get => Ambient.Value;
        internal set => Ambient.Value = value;
    }

    /// <summary>The flow run's namespace.</summary>
    public string Namespace { get; }

    /// <summary>The flow run.</summary>
    public string RunId { get; }

    /// <summary>The node.</summary>
    public string Node { get; }

    /// <summary>The generation running (0 for the first).</summary>
    public int Generation { get; }

    /// <summary>The attempt (1 unless this generation is run again after a lost worker or a timeout).</summary>
    public int Attempt { get; }

    /// <summary>Where values passed by reference are read from (the namespace's KV store), for streamed inputs.</summary>
    internal Kv.KvApi? Values { get; init; }

    /// <summary>Cancelled when the generation must stop (the run stopped, a timeout, the worker stopping).</summary>
    public CancellationToken CancellationToken { get; }
}
