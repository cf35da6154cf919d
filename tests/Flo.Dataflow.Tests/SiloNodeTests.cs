using System.Collections.Concurrent;
using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>
/// Node types the silos run themselves (<see cref="SiloNodeTypes"/>, loaded from <c>Cluster:Dataflow:NodeAssemblies</c>):
/// flows of them complete with no worker anywhere, mixed flows run some nodes in the silos and some on a worker, and
/// silo-run generations keep the worker path's guarantees (applied once; errors and cancellation as there).
/// </summary>
[Trait("Category", "Dataflow")]
[Collection(SiloNodesCluster.Name)]
public sealed class SiloNodeTests(TwoSiloMemoryWithNodes fixture)
{
    private FloClient Client => fixture.Client;

    /// <summary><c>a = increment(b)</c>, <c>b = accumulate(a)</c>: a_g = b_(g-1) + 1, b_g = b_(g-1) + a_g.</summary>
    private static FlowDefinition Cycle()
    {
        var f = new FlowBuilder("silo-cycle");
        f["a"] = SiloNodeTypes.Increment(f["b"]);
        f["b"] = SiloNodeTypes.Accumulate(f["a"]);
        return f.Build();
    }

    [Fact]
    public async Task AFlowOfSiloNodeTypesCompletesWithNoWorker()
    {
        var ns = FlowRuns.NewNamespace();
        var runId = FlowLimits.NewRunId();
        var executed = new ConcurrentQueue<(string What, int Generation, int Attempt)>();
        using var observe = SiloNodeTypes.Observe(runId, (what, _) => executed.Enqueue((what, FlowNodeContext.Current!.Generation, FlowNodeContext.Current.Attempt)));

        // No worker: HostNodes = false and nothing else hosts these types in this namespace.
        var result = await Client.RunAsync(Cycle(), new FlowRunOptions { Namespace = ns, RunId = runId, StopAt = 3, HostNodes = false });

        Assert.Equal((FlowRunStatus.LimitReached, "a"), (result.Status, result.LimitNode));
        // a: 1, 2, 4, 8; b: 1, 3, 7 (a running total of a).
        Assert.Equal((8L, 7L), (result.ValueOf<long>("a"), result.ValueOf<long>("b")));
        var nodes = await Client.Flow.GetNodesAsync(runId, new FlowCallOptions(ns));
        Assert.All(nodes, n =>
        {
            // Applied once per generation, none from an action run: they ran in the silo.
            Assert.Equal(n.Completed + 1, n.Applied);
            Assert.Equal(Enumerable.Range(0, n.Completed + 1), n.Runs.Select(r => r.Generation));
            Assert.All(n.Runs, r => Assert.Null(r.ActionRunId));
            Assert.All(n.Runs, r => Assert.Equal(FlowNodeStatus.Completed, r.Outcome));
        });
        Assert.Equal(7L, nodes.Single(n => n.Name == "b").State<SiloNodeTypes.Total>()!.Sum);
        Assert.Equal(7, executed.Count);
        Assert.All(executed, e => Assert.Equal(1, e.Attempt));
    }

    [Fact]
    public async Task AMixedFlowRunsSiloNodesInTheSiloAndTheRestOnAWorker()
    {
        var ns = FlowRuns.NewNamespace();
        // Worker-hosted: a consumer of the silo's stream, and a producer for a silo node.
        var sum = Flow.Node("sum-stream", async (IAsyncEnumerable<int> parts) =>
        {
            var total = 0;
            await foreach (var part in parts)
            {
                total += part;
            }
            return (long)total;
        });
        var f = new FlowBuilder("mixed");
        f["count"] = SiloNodeTypes.Count(4);
        f["sum"] = sum(f["count"]);
        f["next"] = SiloNodeTypes.Increment(f["sum"]);
        var flow = f.Build();

        // The client's worker hosts every type of the flow; the silos' own types still run in the silos.
        var result = await Client.RunAsync(flow, new FlowRunOptions { Namespace = ns });

        Assert.Equal(FlowRunStatus.Completed, result.Status);
        Assert.Equal((10, 10L, 11L), (result.ValueOf<int>("count"), result.ValueOf<long>("sum"), result.ValueOf<long>("next")));
        var nodes = (await Client.Flow.GetNodesAsync(result.RunId, new FlowCallOptions(ns))).ToDictionary(n => n.Name);
        Assert.Null(nodes["count"].Runs.Single().ActionRunId);
        Assert.Null(nodes["next"].Runs.Single().ActionRunId);
        Assert.NotNull(nodes["sum"].Runs.Single().ActionRunId);
        Assert.Equal(4, nodes["count"].Runs.Single().Parts);
    }

    [Fact]
    public async Task ASiloNodeThatThrowsFailsTheRun()
    {
        var f = new FlowBuilder("silo-fail");
        f["boom"] = SiloNodeTypes.Fail(7);
        var result = await Client.RunAsync(f.Build(), new FlowRunOptions { HostNodes = false });
        Assert.Equal(FlowRunStatus.Failed, result.Status);
        var error = Assert.Single(result.NodeErrors);
        Assert.Equal(("boom", 0), (error.Node, error.Generation));
        Assert.Contains("silo node refuses 7", error.Error);
    }

    [Fact]
    public async Task CancellingARunStopsItsSiloNodesCode()
    {
        var ns = FlowRuns.NewNamespace();
        var runId = FlowLimits.NewRunId();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var observe = SiloNodeTypes.Observe(runId, (what, _) => (what == "hang-started" ? started : cancelled).TrySetResult());
        var f = new FlowBuilder("silo-hang");
        f["hang"] = SiloNodeTypes.Hang(1);
        await using var run = await Client.Flow.StartAsync(f.Build(), new FlowRunOptions { Namespace = ns, RunId = runId, HostNodes = false });
        await started.Task.WaitAsync(FlowRuns.Patience);

        Assert.True(await run.CancelAsync());

        await cancelled.Task.WaitAsync(FlowRuns.Patience);
        var result = await run.WaitAsync(FlowRuns.Patience);
        Assert.Equal((FlowRunStatus.Cancelled, FlowNodeStatus.Cancelled), (result.Status, result.Node("hang").Status));
    }
}
