using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's stateful nodes (<c>@node class RollingSum: total = 0; async def call(self, x)</c>): the state is given
/// to each generation and stored with it, so <c>RollingSum(10)</c> "returns 10 the first time, 20 the second time".
/// </summary>
public static class StatefulNodes
{
    /// <summary>The seed's class: its public state and its call.</summary>
    public sealed class RollingSum
    {
        /// <summary>The running total.</summary>
        public int Total { get; set; }

        /// <summary>Adds <paramref name="x"/>.</summary>
        public Task<int> CallAsync(int x)
        {
            Total += x;
            return Task.FromResult(Total);
        }
    }

    /// <summary>What <see cref="BuildRollingSum"/> prints with <see cref="RollingSumOptions"/>.</summary>
    public static IReadOnlyList<string> RollingSumOutput { get; } = ["RollingSum => 10", "RollingSum => 20", "RollingSum => 30"];

    /// <summary>Stop when <c>show</c> reached generation 2.</summary>
    public static FlowRunOptions RollingSumOptions { get; } = new() { StopAtNode = new Dictionary<string, FlowGeneration> { ["show"] = 2 } };

    /// <summary>
    /// <c>f.rolling_sum = RollingSum(10)</c> read by <c>f.show = Show(f.rolling_sum, f.show)</c>, which counts itself
    /// (a self-loop), so the flow runs generation after generation and RollingSum with it.
    /// </summary>
    public static FlowDefinition BuildRollingSum(Action<string> print)
    {
        var rollingSum = Flow.StatefulNode("RollingSum", () => new RollingSum(), (RollingSum self, int x) => self.CallAsync(x));
        var show = Flow.Node("Show", async (int value, int shown = 0) =>
        {
            print($"RollingSum => {value}");
            return shown + 1;
        });
        var f = new FlowBuilder("rolling-sum");
        f["rolling_sum"] = rollingSum(10);
        f["show"] = show(f["rolling_sum"], f["show"]);
        return f.Build();
    }

    /// <summary>The seed's <c>StatefulStream</c>: streams "abc" while its counter is below 3; <c>StreamToList</c> collects them.</summary>
    public sealed class Counter
    {
        /// <summary>How many it streamed.</summary>
        public int Count { get; set; }
    }

    /// <summary><c>f.buffer = StatefulStream(); f.list = StreamToList(f.buffer)</c>: ["abc", "abc", "abc"].</summary>
    public static FlowDefinition BuildStatefulStream()
    {
        async IAsyncEnumerable<string> StatefulStream(Counter self)
        {
            while (self.Count < 3)
            {
                await Task.Yield();
                yield return "abc";
                self.Count++;
            }
        }

        async Task<List<string>> StreamToList(IAsyncEnumerable<string> stream)
        {
            var list = new List<string>();
            await foreach (var item in stream)
            {
                list.Add(item);
            }
            return list;
        }

        var f = new FlowBuilder("stateful-stream");
        f["buffer"] = Flow.StatefulNode("StatefulStream", () => new Counter(), StatefulStream)();
        f["list"] = Flow.Node("StreamToList", StreamToList)(f["buffer"]);
        return f.Build();
    }

    /// <summary>The seed's <c>StreamAccumulator</c> state.</summary>
    public sealed class Accumulated
    {
        /// <summary>Sum so far.</summary>
        public double Total { get; set; }

        /// <summary>Numbers so far.</summary>
        public int Count { get; set; }
    }

    /// <summary>A stateful node with a streamed input: <c>StreamAccumulator(NumberStream())</c> gives (6.0, 3).</summary>
    public static FlowDefinition BuildStreamAccumulator()
    {
        async IAsyncEnumerable<double> NumberStream()
        {
            foreach (var x in new[] { 1.0, 2.0, 3.0 })
            {
                await Task.Yield();
                yield return x;
            }
        }

        async Task<(double Total, int Count)> StreamAccumulator(Accumulated self, IAsyncEnumerable<double> numbers)
        {
            await foreach (var number in numbers)
            {
                self.Total += number;
                self.Count++;
            }
            return (self.Total, self.Count);
        }

        var f = new FlowBuilder("stream-accumulator");
        f["numbers"] = Flow.Node("NumberStream", NumberStream)();
        f["accumulator"] = Flow.StatefulNode("StreamAccumulator", () => new Accumulated(), StreamAccumulator)(f["numbers"]);
        return f.Build();
    }
}
