using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's quick start (<c>Add(1, 2)</c> printed by <c>Print</c>) and its forward reference: a node may use another
/// defined after it (<c>f.node_y = Sum(f.node_x, 3); f.node_x = Sum(1, 2)</c>, which the seed says "still returns (6,)").
/// </summary>
public static class Quickstart
{
    /// <summary>What the seed prints: <c>Value: 3</c>.</summary>
    public static IReadOnlyList<string> SeedOutput { get; } = ["Value: 3"];

    /// <summary><c>f.sum = Add(1, 2); f.print = Print(f.sum)</c>.</summary>
    public static FlowDefinition Build(Action<string> print)
    {
        var add = Flow.Node("Add", async (int x, int y) => x + y);
        var show = Flow.Node("Print", async (int value) => print($"Value: {value}"));
        var f = new FlowBuilder("quickstart");
        f["sum"] = add(1, 2);
        f["print"] = show(f["sum"]);
        return f.Build();
    }

    /// <summary><c>f.node_y = Sum(f.node_x, 3)</c> before <c>f.node_x = Sum(1, 2)</c>: node_y is 6.</summary>
    public static FlowDefinition BuildForwardReference()
    {
        var sum = Flow.Node("Sum", async (int x, int y) => x + y);
        var f = new FlowBuilder("forward-reference");
        f["node_y"] = sum(f["node_x"], 3);
        f["node_x"] = sum(1, 2);
        return f.Build();
    }
}
