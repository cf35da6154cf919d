using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's <c>azip</c>: two streams advanced in lockstep, stopping with the shorter. In C# that is
/// <c>System.Linq.AsyncEnumerable.Zip</c> inside a node that takes two streamed inputs.
/// </summary>
public static class ZippedStreams
{
    /// <summary>
    /// The <c>azip</c> docstring: <c>gen1</c> yields 0, 1, 2 and <c>gen2</c> "a", "b"; zipped: (0, "a") and (1, "b")
    /// (as strings <c>0a</c>, <c>1b</c>).
    /// </summary>
    public static FlowDefinition BuildPairs()
    {
        async IAsyncEnumerable<int> Gen1()
        {
            for (var i = 0; i < 3; i++)
            {
                await Task.Yield();
                yield return i;
            }
        }

        async IAsyncEnumerable<string> Gen2()
        {
            await Task.Yield();
            yield return "a";
            yield return "b";
        }

        async Task<List<string>> Pairs(IAsyncEnumerable<int> left, IAsyncEnumerable<string> right)
        {
            var pairs = new List<string>();
            await foreach (var (number, letter) in left.Zip(right))
            {
                pairs.Add($"{number}{letter}");
            }
            return pairs;
        }

        var f = new FlowBuilder("azip");
        f["gen1"] = Flow.Node("Gen1", Gen1)();
        f["gen2"] = Flow.Node("Gen2", Gen2)();
        f["pairs"] = Flow.Node("Pairs", Pairs)(f["gen1"], f["gen2"]);
        return f.Build();
    }

    /// <summary>
    /// The seed's test of zipped streams: <c>f.total = Sum(AddPiecewise(Range(0, 3), Range(100, 103)))</c>:
    /// 100 + 102 + 104 = 306.
    /// </summary>
    public static FlowDefinition BuildPiecewiseSum(Action<string> print)
    {
        async IAsyncEnumerable<int> Range(int start, int end)
        {
            print($"Range started: {start}..{end}");
            for (var i = start; i < end; i++)
            {
                await Task.Delay(10);
                yield return i;
            }
        }

        async IAsyncEnumerable<int> AddPiecewise(IAsyncEnumerable<int> left, IAsyncEnumerable<int> right)
        {
            await foreach (var (l, r) in left.Zip(right))
            {
                print($"Adding {l} + {r}");
                yield return l + r;
            }
        }

        async Task<int> Sum(IAsyncEnumerable<int> stream)
        {
            var total = 0;
            await foreach (var item in stream)
            {
                print($"Sum received: {item}");
                total += item;
            }
            print($"Total: {total}");
            return total;
        }

        var range = Flow.Node("Range", Range);
        var f = new FlowBuilder("piecewise-sum");
        f["range_a"] = range(0, 3);
        f["range_b"] = range(100, 103);
        f["total"] = Flow.Node("Sum", Sum)(Flow.Node("AddPiecewise", AddPiecewise)(f["range_a"], f["range_b"]));
        return f.Build();
    }
}
