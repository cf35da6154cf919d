namespace Flo.Dataflow;

/// <summary>
/// Lists node types for a silo to run itself. A public class implementing it, with a public parameterless
/// constructor, in an assembly given to <see cref="FlowSiloNodesServiceCollectionExtensions.AddFloFlowNodes(Microsoft.Extensions.DependencyInjection.IServiceCollection, System.Reflection.Assembly)"/>
/// (the silo executable: <c>--Cluster:Dataflow:NodeAssemblies:0=/app/MyFlows.dll</c>) is created once and its types
/// registered.
/// <code>
/// public sealed class MyNodes : IFlowNodeTypes
/// {
///     public static readonly NodeFactory Add = Flow.Node("add", async (int a, int b = 0) => a + b);
///     public IEnumerable&lt;NodeType&gt; NodeTypes => [Flow.TypeOf(Add)];
/// }
/// </code>
/// </summary>
/// <remarks>
/// A class rather than an attribute on methods because node types are values (<see cref="Flow.Node"/> with options,
/// <see cref="Flow.StatefulNode{TState}"/> with a state factory), and a client building a flow must use the very same
/// values: the class's static fields serve both.
/// </remarks>
public interface IFlowNodeTypes
{
    /// <summary>The node types to run in the silo.</summary>
    IEnumerable<NodeType> NodeTypes { get; }
}
