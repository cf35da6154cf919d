using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Flo.Dataflow.Internal;

/// <summary>A streamed input as the node's code sees it: the producer's parts, read from its grain as they come.</summary>
internal static class NodeStreams
{
    /// <summary>The parts of <paramref name="generation"/> of <paramref name="producer"/>'s output <paramref name="port"/> as <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    public static object Read<T>(IFlowNodeGrain producer, string producerName, int generation, int port, CancellationToken cancellationToken)
        => ReadAsync<T>(producer, producerName, generation, port, cancellationToken);

    private static async IAsyncEnumerable<T> ReadAsync<T>(IFlowNodeGrain producer, string producerName, int generation, int port, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = -1;
        while (true)
        {
            var page = await producer.ReadParts(generation, port, after, GrainWaits.MaxWaitMs, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var json in page.Parts)
            {
                after++;
                // A producer that does not stream gives its value as the one part, which may be a reference.
                var value = FlowValueRefs.TryGetKey(json, out _) && FlowNodeContext.Current?.Values is { } values
                    ? await FlowValueRefs.ResolveAsync(values, FlowNodeContext.Current.Namespace, json, cancellationToken).ConfigureAwait(false)
                    : json;
                yield return JsonSerializer.Deserialize<T>(value, FlowJson.Options)!;
            }
            if (page.Error is { } error)
            {
                throw new FlowUpstreamException(error, producerName);
            }
            if (page.Ended)
            {
                yield break;
            }
        }
    }
}
