using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's first example, <c>f.result = add(1, f.result)</c>: a node fed by itself. As the seed writes it
/// (<c>add(a: int, b: int)</c>) the cycle has no default and the flow is refused when built; with <c>b = 0</c> it counts.
/// </summary>
public static class SelfLoop
{
    /// <summary>As documented: no default, so building fails naming the cycle (<c>result -> result</c>) and parameter <c>b</c>.</summary>
    public static FlowDefinition BuildAsDocumented()
    {
        var add = Flow.Node("add", async (int a, int b) => a + b);
        var f = new FlowBuilder("self-loop");
        f["result"] = add(1, f["result"]);
        return f.Build();
    }

    /// <summary>With <c>b = 0</c>: result is 1, 2, 3, ... one per generation.</summary>
    public static FlowDefinition Build()
    {
        var add = Flow.Node("add", async (int a, int b = 0) => a + b);
        var f = new FlowBuilder("self-loop");
        var result = f.Ref<int>("result");
        f.Set(result, add(1, result));
        return f.Build();
    }

    /// <summary>Stop when a node reaches generation 3: result is 4 then, at (3,).</summary>
    public static FlowRunOptions Options { get; } = new() { StopAt = 3 };
}
