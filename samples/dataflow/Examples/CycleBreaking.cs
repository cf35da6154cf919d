using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's "Cycle Breaking": <c>f.a = Increment(f.b); f.b = Double(f.a)</c>. Without a default the seed raises
/// <c>MissingDefaultError</c> naming both nodes; with <c>Increment(value = 0)</c> and
/// <c>stop_at_node_generation=(3,)</c> it prints the seven lines of <see cref="SeedOutput"/> and "Finished Normally".
/// </summary>
public static class CycleBreaking
{
    /// <summary>The seed's printed output (before "Finished Normally", which is the run's <c>LimitReached</c>).</summary>
    public static IReadOnlyList<string> SeedOutput { get; } =
    [
        "Increment(0) => 1",
        "Double(1) => 2",
        "Increment(2) => 3",
        "Double(3) => 6",
        "Increment(6) => 7",
        "Double(7) => 14",
        "Increment(14) => 15",
    ];

    /// <summary>Stop when any node reaches generation 3.</summary>
    public static FlowRunOptions Options { get; } = new() { StopAt = 3 };

    /// <summary>The cycle started by Increment's default.</summary>
    public static FlowDefinition Build(Action<string> print)
    {
        var increment = Flow.Node("Increment", async (int value = 0) =>
        {
            print($"Increment({value}) => {value + 1}");
            return value + 1;
        });
        var @double = Flow.Node("Double", async (int value) =>
        {
            print($"Double({value}) => {value * 2}");
            return value * 2;
        });
        var f = new FlowBuilder("cycle-breaking");
        f["a"] = increment(f["b"]);
        f["b"] = @double(f["a"]);
        return f.Build();
    }

    /// <summary>The same cycle with no default anywhere: refused when built.</summary>
    public static FlowDefinition BuildWithoutDefault()
    {
        var increment = Flow.Node("Increment", async (int value) => value + 1);
        var @double = Flow.Node("Double", async (int value) => value * 2);
        var f = new FlowBuilder("cycle-breaking");
        f["a"] = increment(f["b"]);
        f["b"] = @double(f["a"]);
        return f.Build();
    }

    /// <summary>
    /// The seed's <c>cycle_no_default_error.py</c>: <c>f.a = A(f.b); f.b = B("hello", f.a)</c>. Only B's <c>y</c> is
    /// in the cycle (its <c>x</c> is a constant), so the error names A's <c>x</c> or B's <c>y</c>.
    /// </summary>
    public static FlowDefinition BuildTwoParameterCycle()
    {
        var a = Flow.Node("A", async (int x) => x + 1);
        var b = Flow.Node("B", async (string x, int y) => y + 2);
        var f = new FlowBuilder("cycle-no-default");
        f["a"] = a(f["b"]);
        f["b"] = b("hello", f["a"]);
        return f.Build();
    }
}
