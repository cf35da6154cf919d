using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>The same flows on the embedded silo's SQLite storage: run and node state through a durable provider.</summary>
[Trait("Category", "Dataflow")]
public sealed class DurableFlowTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>
{
    private FloClient Client => fixture.Client;

    [Fact]
    public async Task ACycleAndAStreamingCycleRunOnSqlite()
    {
        var log = new PrintLog();
        var cycle = await Client.RunAsync(CycleBreaking.Build(log.Print), CycleBreaking.Options);
        Assert.Equal(CycleBreaking.SeedOutput, log.Lines);
        Assert.Equal((FlowRunStatus.LimitReached, 15), (cycle.Status, cycle.ValueOf<int>("a")));

        var streaming = await Client.RunAsync(StreamingChain.BuildCycle(_ => { }), new FlowRunOptions { StopAt = 3 });
        Assert.Equal("WORLD HELLO", streaming.ValueOf<string>("reverse"));

        var stateful = await Client.RunAsync(StatefulNodes.BuildRollingSum(_ => { }), StatefulNodes.RollingSumOptions);
        var node = await Client.Flow.GetNodeAsync(stateful.RunId, "rolling_sum", new FlowCallOptions(stateful.Namespace));
        Assert.Equal((30, 3L), (node.State<StatefulNodes.RollingSum>()!.Total, node.Applied));
    }
}
