using Flo.Dataflow;

namespace Flo.Bench.Dataflow;

/// <summary>
/// The bench graphs' node types for the silo to run itself (<c>Cluster:Dataflow:NodeAssemblies</c> = this assembly):
/// the same code as the worker's, named <c>Silo*</c>, timing with the clock of the run being measured (one at a time).
/// </summary>
public sealed class BenchSiloNodes : IFlowNodeTypes
{
    private static GenerationClock? current;

    /// <summary>The pipeline of silo-run node types.</summary>
    public static FlowDefinition Pipeline { get; } = BenchGraphs.Pipeline(() => Current, "Silo");

    /// <summary>The cycle of silo-run node types.</summary>
    public static FlowDefinition Cycle { get; } = BenchGraphs.Cycle(() => Current, "Silo");

    /// <summary>The clock of the run being measured (runs are measured one at a time).</summary>
    public static GenerationClock Current
    {
        get => Volatile.Read(ref current) ?? throw new InvalidOperationException("No bench run is being measured.");
        set => Volatile.Write(ref current, value);
    }

    /// <inheritdoc/>
    public IEnumerable<NodeType> NodeTypes => [.. Pipeline.NodeTypes, .. Cycle.NodeTypes];
}
