using System.Text;
using Flo.Actions;
using Flo.Kv;
using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>
/// Large values by reference: an output port over the threshold (64 KiB) is stored in the namespace's KV store under
/// <c>flow/{runId}/{node}/{g}/{port}</c> by the process that ran the node, and only <c>{"$flo_ref": key}</c> travels:
/// node grain state, the run, events and action payloads hold the reference; the consumer gets the value.
/// </summary>
[Trait("Category", "Dataflow")]
[Collection(SiloNodesCluster.Name)]
public sealed class LargeValueTests(TwoSiloMemoryWithNodes fixture)
{
    private const int Size = 200_000;

    private FloClient Client => fixture.Client;

    private static readonly NodeFactory Length = Flow.Node("length", (string text) => text.Length);

    private static readonly NodeFactory StreamLength = Flow.Node("stream-length", async (IAsyncEnumerable<string> parts) =>
    {
        var total = 0;
        await foreach (var part in parts)
        {
            total += part.Length;
        }
        return total;
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ALargeValueCrossesAFlowByReference(bool producedInSilo)
    {
        var ns = FlowRuns.NewNamespace();
        var options = new FlowCallOptions(ns);
        var big = producedInSilo ? SiloNodeTypes.Big : Flow.Node("big", (int size) => new string('x', size));
        var f = new FlowBuilder("large");
        f["big"] = big(Size);
        f["length"] = Length(f["big"]);
        f["streamed"] = StreamLength(f["big"]);

        var result = await Client.RunAsync(f.Build(), new FlowRunOptions { Namespace = ns });

        Assert.Equal(FlowRunStatus.Completed, result.Status);
        // The consumers got the whole value (one by value, one as a stream of the producer's one part).
        Assert.Equal((Size, Size), (result.ValueOf<int>("length"), result.ValueOf<int>("streamed")));
        // The producer's grain holds the reference only, and the value is in KV under the documented key.
        var key = FlowValueRefs.Key(result.RunId, "big", 0, 0);
        var producer = await Client.Flow.GetNodeAsync(result.RunId, "big", options);
        Assert.Equal(FlowValueRefs.Reference(key), producer.ValueJson);
        Assert.Equal(FlowValueRefs.Reference(key), Assert.Single(producer.OutputsJson));
        Assert.Equal(FlowValueRefs.Reference(key), result.Node("big").ValueJson);
        var stored = await Client.Kv.GetAsync(key, new GetOptions(Namespace: ns));
        Assert.Equal(Size + 2, Assert.IsType<KvEntry>(stored).Value.Length);
        Assert.Equal(new string('x', Size), await Client.Flow.GetValueAsync<string>(result.RunId, "big", options: options));
        // The consumer's action run was given the reference, not the value.
        var consumer = await Client.Flow.GetNodeAsync(result.RunId, "length", options);
        var action = await Client.Action.GetRunAsync(consumer.Runs.Single().ActionRunId!, new ActionCallOptions(ns));
        var payload = Encoding.UTF8.GetString(action.Payload);
        Assert.Contains(key, payload);
        Assert.True(payload.Length < 4_096, $"the payload holds {payload.Length} characters");
        // Small values stay inline.
        Assert.Equal(Size.ToString(System.Globalization.CultureInfo.InvariantCulture), consumer.ValueJson);
    }
}
