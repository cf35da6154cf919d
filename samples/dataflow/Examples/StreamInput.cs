using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's <c>@node(stream_in=["a"]) async def SumStream(x: int, a: Stream[int])</c>: a parameter of type
/// <c>IAsyncEnumerable&lt;T&gt;</c> reads its producer's parts as they are streamed.
/// </summary>
public static class StreamInput
{
    /// <summary><c>SumStream(1, Counter())</c> where Counter streams 0, 1, 2, 3: 7.</summary>
    public static FlowDefinition Build()
    {
        async IAsyncEnumerable<int> Counter()
        {
            for (var i = 0; i < 4; i++)
            {
                await Task.Yield();
                yield return i;
            }
        }

        async Task<int> SumStream(int x, IAsyncEnumerable<int> a)
        {
            var total = x;
            await foreach (var value in a)
            {
                total += value;
            }
            return total;
        }

        var counter = Flow.Node("Counter", Counter);
        var sumStream = Flow.Node("SumStream", SumStream);
        var f = new FlowBuilder("stream-input");
        f["numbers"] = counter();
        f["total"] = sumStream(1, f["numbers"]);
        // A consumer that does not stream gets the parts added up (0 + 1 + 2 + 3).
        f["added"] = Flow.Node("Identity", async (int value) => value)(f["numbers"]);
        return f.Build();
    }
}
