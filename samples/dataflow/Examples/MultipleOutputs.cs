using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's <c>@node(multiple_outputs=True) async def SumAndDiff(x, y): return x + y, x - y</c>: a tuple's
/// elements are outputs, taken by index, by name, or by deconstruction.
/// </summary>
public static class MultipleOutputs
{
    /// <summary><c>SumAndDiff(3, 1)</c> gives (4, 2); three consumers take its elements three ways.</summary>
    public static FlowDefinition Build()
    {
        var sumAndDiff = Flow.Node("SumAndDiff", async (int x, int y) => (sum: x + y, diff: x - y));
        var identity = Flow.Node("Identity", async (int value) => value);
        var describe = Flow.Node("Describe", async (int sum, int diff) => $"sum={sum} diff={diff}");
        var f = new FlowBuilder("multiple-outputs");
        f["sum_and_diff"] = sumAndDiff(3, 1);
        f["sum"] = identity(f["sum_and_diff"].Output(0));
        f["diff"] = identity(f["sum_and_diff"].Output("diff"));
        var (sum, diff) = f["sum_and_diff"];
        f["described"] = describe(sum, diff);
        return f.Build();
    }
}
