using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>A node whose code throws: it stops the run (the default), or only itself and what depends on it.</summary>
[Trait("Category", "Dataflow")]
[Collection(DataflowCluster.Name)]
public sealed class NodeErrorTests(TwoSiloMemory fixture)
{
    private FloClient Client => fixture.Client;

    /// <summary><c>ok = 1 + 2</c>; <c>boom(ok)</c> throws; <c>after(boom)</c> depends on it, <c>other = ok * 2</c> does not.</summary>
    private static FlowDefinition Branches()
    {
        var add = Flow.Node("add", async (int a, int b) => a + b);
        var boom = Flow.Node("boom", async (int value, CancellationToken cancellationToken) =>
        {
            await Task.Delay(50, cancellationToken);
            throw new InvalidOperationException($"boom at {value}");
#pragma warning disable CS0162 // The node type's value type is int.
            return value;
#pragma warning restore CS0162
        });
        var @double = Flow.Node("double", async (int value) => value * 2);
        var f = new FlowBuilder("branches");
        f["ok"] = add(1, 2);
        f["boom"] = boom(f["ok"]);
        f["after"] = @double(f["boom"]);
        f["other"] = @double(f["ok"]);
        return f.Build();
    }

    [Fact]
    public async Task AThrowingNodeStopsTheRunByDefault()
    {
        var result = await Client.RunAsync(Branches());
        Assert.Equal(FlowRunStatus.Failed, result.Status);
        Assert.Contains("node 'boom' failed at generation (0,): InvalidOperationException: boom at 3", result.Reason);
        var error = Assert.Single(result.NodeErrors);
        Assert.Equal(("boom", 0, "InvalidOperationException: boom at 3"), (error.Node, error.Generation, error.Error));
        Assert.Null(result.GenerationOf("after"));
    }

    [Fact]
    public async Task WithoutTerminateOnErrorTheRestRunsAsFarAsItCan()
    {
        var result = await Client.RunAsync(Branches(), new FlowRunOptions { TerminateOnNodeError = false });
        Assert.Equal(FlowRunStatus.Failed, result.Status);
        Assert.Contains("1 node(s) failed", result.Reason);
        Assert.Equal(FlowNodeStatus.Failed, result.Node("boom").Status);
        Assert.Equal((FlowNodeStatus.Waiting, null), (result.Node("after").Status, result.GenerationOf("after")));
        Assert.Equal((FlowNodeStatus.Completed, 6), (result.Node("other").Status, result.ValueOf<int>("other")));
    }

    [Fact]
    public async Task WithoutTerminateOnErrorACycleStallsAtTheFailedNodeAndTheRunEnds()
    {
        var log = new PrintLog();
        var result = await Client.RunAsync(DoublyCyclic.Build(log.Print), new FlowRunOptions { TerminateOnNodeError = false });
        Assert.Equal(FlowRunStatus.Failed, result.Status);
        Assert.Equal(FlowNodeStatus.Failed, result.Node("sum_node").Status);
        Assert.Equal(new FlowGeneration(1), result.GenerationOf("sum_node"));
        Assert.Equal(new FlowGeneration(1), result.GenerationOf("inc_node_b"));
        Assert.Equal(DoublyCyclic.SeedSumOutput, log.Lines.Where(l => l.StartsWith("[Sum]", StringComparison.Ordinal)));
    }
}
