namespace Flo.Dataflow;

/// <summary>
/// Declares node types (the seed's <c>@node</c>):
/// <code>
/// var add = Flow.Node("add", async (int a, int b = 0) => a + b);
/// var f = new FlowBuilder();
/// f["result"] = add(1, f["result"]);          // a self-loop, started by b's default
/// var result = await client.Flow.RunUntilCompleteAsync(f.Build(), new FlowRunOptions { StopAt = 3 });
/// </code>
/// </summary>
public static class Flow
{
    /// <summary>
    /// Given as an input, takes the parameter's default (to skip a parameter before others; trailing ones can simply
    /// be left out).
    /// </summary>
    public static object Default { get; } = new DefaultMarker();

    /// <summary>
    /// Declares a node type from an async function (lambda, method or local function; parameter defaults are read from
    /// it) and returns it as a callable <see cref="NodeFactory"/>. The function may return <c>Task&lt;T&gt;</c>,
    /// <c>ValueTask&lt;T&gt;</c>, a plain value, or <c>IAsyncEnumerable&lt;T&gt;</c> to stream; a tuple or record value
    /// offers its elements as outputs. Reflection happens here, once.
    /// </summary>
    public static NodeFactory Node(string name, Delegate run, NodeOptions? options = null)
        => new NodeType(name, run, options ?? NodeOptions.Default, null, null).Factory;

    /// <summary>
    /// Declares a stateful node type (the seed's <c>@node</c> class): <paramref name="run"/> takes the state as its
    /// first parameter and may change it; the state is stored with each generation the node completes (exactly once
    /// per generation) and given to the next one. <paramref name="create"/> makes the state of the first generation.
    /// <code>
    /// var rollingSum = Flow.StatefulNode("RollingSum", () =&gt; new Totals(), async (Totals s, int x) =&gt; s.Total += x);
    /// </code>
    /// </summary>
    public static NodeFactory StatefulNode<TState>(string name, Func<TState> create, Delegate run, NodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new NodeType(name, run, options ?? NodeOptions.Default, typeof(TState), () => create()).Factory;
    }

    /// <summary>The node type behind a <see cref="NodeFactory"/> (its name, inputs, outputs, signature).</summary>
    public static NodeType TypeOf(NodeFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Target as NodeType ?? throw new FlowArgumentException("This NodeFactory was not made by Flow.Node.");
    }

    private sealed class DefaultMarker
    {
        public override string ToString() => "Flow.Default";
    }
}
