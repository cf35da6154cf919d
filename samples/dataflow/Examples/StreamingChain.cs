using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's streaming example (<c>stream.py</c>): <c>Words</c> streams words, <c>Upcase</c> streams them upcased,
/// <c>ReverseSentence</c> reads them as they come and returns them reversed. As a chain the result is
/// "WORLD HELLO"; closed into a cycle by <c>SentenceToList</c> (Words' default starts it) it reverses the words once
/// per generation.
/// </summary>
public static class StreamingChain
{
    /// <summary>Words, Upcase, ReverseSentence in a chain: "WORLD HELLO".</summary>
    public static FlowDefinition BuildChain(Action<string> print)
    {
        var (words, upcase, reverse, _) = NodeTypes(print);
        var f = new FlowBuilder("streaming-chain");
        f["words"] = words();
        f["upcase"] = upcase(f["words"]);
        f["reverse"] = reverse(f["upcase"]);
        return f.Build();
    }

    /// <summary>
    /// The cycle of <c>stream.py</c>: <c>f.words = Words(f.split)</c>, ..., <c>f.split = SentenceToList(f.reverse)</c>.
    /// With <c>stop_at_node_generation=(3,)</c> the seed asserts reverse is "WORLD HELLO"; with
    /// <c>{f.reverse: (1,)}</c> (<c>test_streaming_cycle</c>) "HELLO WORLD".
    /// </summary>
    public static FlowDefinition BuildCycle(Action<string> print)
    {
        var (words, upcase, reverse, sentenceToList) = NodeTypes(print);
        var f = new FlowBuilder("streaming-cycle");
        f["words"] = words(f["split"]);
        f["upcase"] = upcase(f["words"]);
        f["reverse"] = reverse(f["upcase"]);
        f["split"] = sentenceToList(f["reverse"]);
        return f.Build();
    }

    private static (NodeFactory Words, NodeFactory Upcase, NodeFactory Reverse, NodeFactory SentenceToList) NodeTypes(Action<string> print)
    {
        async IAsyncEnumerable<string> Words(List<string>? input = null)
        {
            if (input is not { Count: > 0 })
            {
                input = ["hello", "world"];
            }
            foreach (var word in input)
            {
                await Task.Yield();
                yield return word;
            }
        }

        async IAsyncEnumerable<string> Upcase(IAsyncEnumerable<string> words)
        {
            print("Upcase node started");
            await foreach (var word in words)
            {
                print($"Upcasing: {word}");
                yield return word.ToUpperInvariant();
            }
        }

        async Task<string> ReverseSentence(IAsyncEnumerable<string> words)
        {
            var accumulator = "";
            await foreach (var word in words)
            {
                accumulator = word + " " + accumulator;
            }
            return accumulator.Trim();
        }

        return (
            Flow.Node("Words", Words),
            Flow.Node("Upcase", Upcase),
            Flow.Node("ReverseSentence", ReverseSentence),
            Flow.Node("SentenceToList", async (string sentence) => sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList()));
    }
}
