using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>
/// The seed's documented examples on a two-silo cluster (node code runs here, on workers; nodes are grains), each
/// asserting what the seed printed or returned and the generations it ended at.
/// </summary>
[Trait("Category", "Dataflow")]
[Collection(DataflowCluster.Name)]
public sealed class SeedExampleTests(TwoSiloMemory fixture)
{
    private FloClient Client => fixture.Client;

    [Fact]
    public async Task QuickstartPrintsValue3()
    {
        var log = new PrintLog();
        var result = await Client.RunAsync(Quickstart.Build(log.Print));
        Assert.Equal(FlowRunStatus.Completed, result.Status);
        Assert.Equal(Quickstart.SeedOutput, log.Lines);
        Assert.Equal(3, result.ValueOf<int>("sum"));
        Assert.Equal(new FlowGeneration(0), result.GenerationOf("sum"));
        Assert.All(result.Nodes, n => Assert.Equal(FlowNodeStatus.Completed, n.Status));
    }

    [Fact]
    public async Task AForwardReferenceStillReturns6()
    {
        var result = await Client.RunAsync(Quickstart.BuildForwardReference());
        Assert.Equal(FlowRunStatus.Completed, result.Status);
        Assert.Equal(6, result.ValueOf<int>("node_y"));
    }

    [Fact]
    public async Task ASelfLoopCountsUntilItsLimit()
    {
        var result = await Client.RunAsync(SelfLoop.Build(), SelfLoop.Options);
        Assert.Equal(FlowRunStatus.LimitReached, result.Status);
        Assert.Equal("result", result.LimitNode);
        Assert.Equal(new FlowGeneration(3), result.GenerationOf("result"));
        Assert.Equal(4, result.ValueOf<int>("result"));
    }

    [Fact]
    public async Task CycleBreakingPrintsTheSeedsSevenLines()
    {
        var log = new PrintLog();
        var result = await Client.RunAsync(CycleBreaking.Build(log.Print), CycleBreaking.Options);
        Assert.Equal(CycleBreaking.SeedOutput, log.Lines);
        // The seed's "Finished Normally": reaching the limit is a result.
        Assert.Equal(FlowRunStatus.LimitReached, result.Status);
        Assert.Equal("a", result.LimitNode);
        Assert.Equal((new FlowGeneration(3), 15), (result.GenerationOf("a")!.Value, result.ValueOf<int>("a")));
        Assert.Equal((new FlowGeneration(2), 14), (result.GenerationOf("b")!.Value, result.ValueOf<int>("b")));
    }

    [Fact]
    public async Task TheDoublyCyclicFlowEndsWhenSumRaises()
    {
        var log = new PrintLog();
        var result = await Client.RunAsync(DoublyCyclic.Build(log.Print));
        Assert.Equal(DoublyCyclic.SeedSumOutput, log.Lines.Where(l => l.StartsWith("[Sum]", StringComparison.Ordinal)));
        Assert.Equal(4, log.Lines.Count(l => l.StartsWith("[IncrementAndSleep]", StringComparison.Ordinal)));
        Assert.Equal(FlowRunStatus.Failed, result.Status);
        var error = Assert.Single(result.NodeErrors);
        Assert.Equal(("sum_node", 2), (error.Node, error.Generation));
        Assert.StartsWith("TerminateFlowException: x reached 3", error.Error);
        Assert.Equal(FlowNodeStatus.Failed, result.Node("sum_node").Status);
        Assert.Equal(new FlowGeneration(1), result.GenerationOf("inc_node_a"));
    }

    [Fact]
    public async Task SumAndDiffOffersItsElementsByIndexNameAndDeconstruction()
    {
        var result = await Client.RunAsync(MultipleOutputs.Build());
        Assert.Equal(FlowRunStatus.Completed, result.Status);
        Assert.Equal((4, 2), result.ValueOf<(int, int)>("sum_and_diff"));
        Assert.Equal(4, result.ValueOf<int>("sum"));
        Assert.Equal(2, result.ValueOf<int>("diff"));
        Assert.Equal("sum=4 diff=2", result.ValueOf<string>("described"));
    }

    [Fact]
    public async Task SumStreamReadsTheStreamAndOthersGetItsParts()
    {
        var result = await Client.RunAsync(StreamInput.Build());
        Assert.Equal(FlowRunStatus.Completed, result.Status);
        Assert.Equal(7, result.ValueOf<int>("total"));
        Assert.Equal(6, result.ValueOf<int>("added"));
        var numbers = await Client.Flow.GetNodeAsync(result.RunId, "numbers", new FlowCallOptions(result.Namespace));
        Assert.Equal(4, Assert.Single(numbers.Runs).Parts);
        Assert.Equal(new FlowGeneration(0), numbers.Generation);
    }

    [Fact]
    public async Task AStreamingChainReversesTheWords()
    {
        var log = new PrintLog();
        var result = await Client.RunAsync(StreamingChain.BuildChain(log.Print));
        Assert.Equal(FlowRunStatus.Completed, result.Status);
        Assert.Equal("WORLD HELLO", result.ValueOf<string>("reverse"));
        Assert.Equal(["Upcase node started", "Upcasing: hello", "Upcasing: world"], log.Lines);
    }

    [Fact]
    public async Task AStreamingCycleStoppedAtGeneration3EndsAtWorldHello()
    {
        var result = await Client.RunAsync(StreamingChain.BuildCycle(_ => { }), new FlowRunOptions { StopAt = 3 });
        Assert.Equal(FlowRunStatus.LimitReached, result.Status);
        Assert.Equal("words", result.LimitNode);
        Assert.Equal("WORLD HELLO", result.ValueOf<string>("reverse"));
        Assert.Equal(new FlowGeneration(2), result.GenerationOf("reverse"));
        Assert.Equal(new FlowGeneration(3), result.GenerationOf("words"));
    }

    [Fact]
    public async Task AStreamingCycleStoppedAtReversesGeneration1EndsAtHelloWorld()
    {
        var options = new FlowRunOptions { StopAtNode = new Dictionary<string, FlowGeneration> { ["reverse"] = 1 } };
        var result = await Client.RunAsync(StreamingChain.BuildCycle(_ => { }), options);
        Assert.Equal(FlowRunStatus.LimitReached, result.Status);
        Assert.Equal("reverse", result.LimitNode);
        Assert.Equal("HELLO WORLD", result.ValueOf<string>("reverse"));
        Assert.Equal(new FlowGeneration(1), result.GenerationOf("reverse"));
    }

    [Fact]
    public async Task ZippedStreamsPairUpAndStopWithTheShorter()
    {
        var result = await Client.RunAsync(ZippedStreams.BuildPairs());
        Assert.Equal(["0a", "1b"], result.ValueOf<List<string>>("pairs"));
    }

    [Fact]
    public async Task ZippedRangesAddUpTo306()
    {
        var log = new PrintLog();
        var result = await Client.RunAsync(ZippedStreams.BuildPiecewiseSum(log.Print));
        Assert.Equal(FlowRunStatus.Completed, result.Status);
        Assert.Equal(306, result.ValueOf<int>("total"));
        Assert.Equal(["Adding 0 + 100", "Adding 1 + 101", "Adding 2 + 102"], log.Lines.Where(l => l.StartsWith("Adding", StringComparison.Ordinal)));
        Assert.Equal(["Sum received: 100", "Sum received: 102", "Sum received: 104", "Total: 306"], log.Lines.Where(l => l.StartsWith("Sum", StringComparison.Ordinal) || l.StartsWith("Total", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RollingSumKeepsItsStateAcrossGenerations()
    {
        var log = new PrintLog();
        var result = await Client.RunAsync(StatefulNodes.BuildRollingSum(log.Print), StatefulNodes.RollingSumOptions);
        Assert.Equal(StatefulNodes.RollingSumOutput, log.Lines);
        Assert.Equal(FlowRunStatus.LimitReached, result.Status);
        Assert.Equal("show", result.LimitNode);
        Assert.Equal((new FlowGeneration(2), 30), (result.GenerationOf("rolling_sum")!.Value, result.ValueOf<int>("rolling_sum")));
        var node = await Client.Flow.GetNodeAsync(result.RunId, "rolling_sum", new FlowCallOptions(result.Namespace));
        Assert.Equal(30, node.State<StatefulNodes.RollingSum>()!.Total);
    }

    [Fact]
    public async Task AStatefulStreamStreamsWhileItsCounterIsBelow3()
    {
        var result = await Client.RunAsync(StatefulNodes.BuildStatefulStream());
        Assert.Equal(["abc", "abc", "abc"], result.ValueOf<List<string>>("list"));
    }

    [Fact]
    public async Task AStatefulNodeAccumulatesAStreamedInput()
    {
        var result = await Client.RunAsync(StatefulNodes.BuildStreamAccumulator());
        Assert.Equal((6.0, 3), result.ValueOf<(double, int)>("accumulator"));
    }
}
