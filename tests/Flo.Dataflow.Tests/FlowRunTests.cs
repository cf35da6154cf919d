using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>The client around a run: events as they happen, node inspection, cancelling, nodes hosted by another worker.</summary>
[Trait("Category", "Dataflow")]
[Collection(DataflowCluster.Name)]
public sealed class FlowRunTests(TwoSiloMemory fixture)
{
    private FloClient Client => fixture.Client;

    [Fact]
    public async Task WatchingARunGivesItsNodeEventsInOrder()
    {
        var ns = FlowRuns.NewNamespace();
        await using var run = await Client.Flow.StartAsync(CycleBreaking.Build(_ => { }), CycleBreaking.Options with { Namespace = ns });
        using var timeout = new CancellationTokenSource(FlowRuns.Patience);
        var events = new List<FlowEvent>();
        await foreach (var e in run.WatchAsync(timeout.Token))
        {
            events.Add(e);
        }
        Assert.Equal(FlowEventKind.RunStarted, events[0].Kind);
        Assert.Equal((FlowEventKind.RunFinished, FlowRunStatus.LimitReached), (events[^1].Kind, events[^1].Status));
        var completed = events.Where(e => e.Kind == FlowEventKind.NodeCompleted).Select(e => $"{e.Node}{e.Generation}={e.ValueJson}");
        Assert.Equal(["a0=1", "b0=2", "a1=3", "b1=6", "a2=7", "b2=14", "a3=15"], completed);
        Assert.Equal(events.Select(e => e.Seq), events.Select(e => e.Seq).Order());
    }

    [Fact]
    public async Task NodesShowGenerationValueStateAndEachGenerationAppliedOnce()
    {
        var result = await Client.RunAsync(StatefulNodes.BuildRollingSum(_ => { }), StatefulNodes.RollingSumOptions);
        var nodes = await Client.Flow.GetNodesAsync(result.RunId, new FlowCallOptions(result.Namespace));
        Assert.Equal(["rolling_sum", "show"], nodes.Select(n => n.Name));
        var rolling = nodes[0];
        Assert.Equal(("RollingSum", 2, "30"), (rolling.NodeType, rolling.Completed, rolling.ValueJson));
        Assert.Equal(new FlowGeneration(2), rolling.Generation);
        Assert.Equal("{\"total\":30}", rolling.StateJson);
        Assert.All(nodes, n =>
        {
            // Exactly once: generations 0..Completed, each applied once, each from its own action run.
            Assert.Equal(n.Completed + 1, n.Applied);
            Assert.Equal(Enumerable.Range(0, n.Completed + 1), n.Runs.Select(r => r.Generation));
            Assert.All(n.Runs, r => Assert.Equal(FlowNodeStatus.Completed, r.Outcome));
            Assert.Equal(n.Runs.Count, n.Runs.Select(r => r.ActionRunId).Distinct().Count(id => id is not null));
        });
    }

    [Fact]
    public async Task ACancelledRunStopsItsRunningNode()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tick = Flow.Node("tick", async (int count = 0, CancellationToken cancellationToken = default) =>
        {
            if (count == 3)
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            return count + 1;
        });
        var f = new FlowBuilder("ticks");
        f["tick"] = tick(f["tick"]);
        await using var run = await Client.Flow.StartAsync(f.Build(), new FlowRunOptions { Namespace = FlowRuns.NewNamespace() });
        await started.Task.WaitAsync(FlowRuns.Patience);
        Assert.True(await run.CancelAsync());
        var result = await run.WaitAsync(FlowRuns.Patience);
        Assert.Equal(FlowRunStatus.Cancelled, result.Status);
        Assert.Equal((FlowNodeStatus.Cancelled, new FlowGeneration(2)), (result.Node("tick").Status, result.GenerationOf("tick")!.Value));
        var node = await run.GetNodeAsync("tick");
        Assert.Equal(FlowNodeStatus.Cancelled, node.Status);
        Assert.False(await run.CancelAsync());
    }

    [Fact]
    public async Task NodesCanRunOnAWorkerOfTheirOwn()
    {
        var ns = FlowRuns.NewNamespace();
        var log = new PrintLog();
        var flow = CycleBreaking.Build(log.Print);
        await using (var worker = Client.Flow.NewWorker(new FlowWorkerOptions(Namespace: ns)).Host(flow))
        {
            await worker.StartAsync();
            var result = await Client.RunAsync(flow, CycleBreaking.Options with { Namespace = ns, HostNodes = false });
            Assert.Equal(FlowRunStatus.LimitReached, result.Status);
        }
        Assert.Equal(CycleBreaking.SeedOutput, log.Lines);
    }

    [Fact]
    public async Task StartingARunIdAgainReturnsThatRun()
    {
        var ns = FlowRuns.NewNamespace();
        var options = new FlowRunOptions { Namespace = ns, RunId = "same-run" };
        var first = await Client.Flow.RunUntilCompleteAsync(Quickstart.BuildForwardReference(), options);
        var again = await Client.Flow.RunUntilCompleteAsync(Quickstart.BuildForwardReference(), options);
        Assert.Equal(("same-run", first.StartedAtMs), (again.RunId, again.StartedAtMs));
        await Assert.ThrowsAsync<FlowRunNotFoundException>(() => Client.Flow.GetAsync("no-such-run", new FlowCallOptions(ns)));
    }
}
