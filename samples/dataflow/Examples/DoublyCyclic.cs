using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's <c>simple_cyclic.py</c>: <c>Sum</c> is fed by two <c>IncrementAndSleep</c> nodes that both read it
/// (two cycles through one node, started by Sum's defaults). Sum raises once <c>x &gt;= 3</c>, which ends the run:
/// it fails (the seed: "Flow was terminated as expected"). Delays are the seed's divided by 100.
/// </summary>
public static class DoublyCyclic
{
    /// <summary>What Sum prints, in order (the two increments interleave in between).</summary>
    public static IReadOnlyList<string> SeedSumOutput { get; } =
    [
        "[Sum] Called with x=0, y=0",
        "[Sum] Called with x=1, y=1",
        "[Sum] Called with x=3, y=3",
        "[Sum] x is greater than or equal to 3, terminating the flow",
    ];

    /// <summary>The seed's exception to end the cycle.</summary>
    public sealed class TerminateFlowException() : Exception("x reached 3");

    /// <summary>Builds the flow.</summary>
    public static FlowDefinition Build(Action<string> print)
    {
        var sum = Flow.Node("Sum", async (int x = 0, int y = 0) =>
        {
            print($"[Sum] Called with x={x}, y={y}");
            if (x >= 3)
            {
                print("[Sum] x is greater than or equal to 3, terminating the flow");
                throw new TerminateFlowException();
            }
            return x + y;
        });
        var incrementAndSleep = Flow.Node("IncrementAndSleep", async (int x, double delay, CancellationToken cancellationToken) =>
        {
            print($"[IncrementAndSleep] Called with x={x}, delay={delay}");
            await Task.Delay(TimeSpan.FromSeconds(delay), cancellationToken);
            return x + 1;
        });
        var f = new FlowBuilder("doubly-cyclic");
        f["sum_node"] = sum(f["inc_node_a"], f["inc_node_b"]);
        f["inc_node_a"] = incrementAndSleep(f["sum_node"], 0.015);
        f["inc_node_b"] = incrementAndSleep(f["sum_node"], 0.021);
        return f.Build();
    }
}
