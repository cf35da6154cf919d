using Flo.Grains.Dataflow;

namespace Flo.Dataflow.Tests;

/// <summary>The scheduling rules alone (no cluster): lockstep, cycles, streams, and nodes that run only when asked for.</summary>
[Trait("Category", "Dataflow")]
public sealed class FlowScheduleTests
{
    [Fact]
    public void ACycleAlternatesAndStopsWhereTheSeedStops()
    {
        var schedule = new FlowSchedule(new FlowRunStart { Graph = CycleBreaking.Build(_ => { }).Graph, StopAt = 3 });
        var order = new List<string>();
        var values = new Dictionary<string, int>();
        while (true)
        {
            var runs = schedule.TakeRunnable();
            var (i, request) = Assert.Single(runs);
            var name = schedule.Nodes[i].Name;
            order.Add($"{name}{request.Generation}");
            var input = request.Inputs[0].Kind == NodeInputKind.Default ? 0 : int.Parse(request.Inputs[0].Json!);
            var output = name == "a" ? input + 1 : input * 2;
            values[name] = output;
            Assert.True(schedule.Complete(i, request.Generation, [output.ToString()]));
            if (schedule.ReachesLimit(i, request.Generation))
            {
                break;
            }
        }
        Assert.Equal(["a0", "b0", "a1", "b1", "a2", "b2", "a3"], order);
        Assert.Equal(15, values["a"]);
        Assert.Equal(14, values["b"]);
    }

    [Fact]
    public void StreamConsumersStartWhenTheirProducerStarts()
    {
        var schedule = new FlowSchedule(new FlowRunStart { Graph = StreamingChain.BuildChain(_ => { }).Graph });
        var runs = schedule.TakeRunnable();
        Assert.Equal(["words", "upcase", "reverse"], runs.Select(r => schedule.Nodes[r.Node].Name));
        Assert.Equal(NodeInputKind.Stream, runs[1].Request.Inputs[0].Kind);
        Assert.Equal("words", runs[1].Request.Inputs[0].From);
    }

    [Fact]
    public void ANodeFedOnlyByConstantsRunsAgainOnlyWhenAConsumerWaitsForIt()
    {
        var schedule = new FlowSchedule(new FlowRunStart { Graph = StatefulNodes.BuildRollingSum(_ => { }).Graph });
        var (rolling, show) = (schedule.IndexOf("rolling_sum"), schedule.IndexOf("show"));
        Assert.Equal([rolling], schedule.TakeRunnable().Select(r => r.Node));
        Assert.True(schedule.Complete(rolling, 0, ["10"]));
        Assert.Equal([show], schedule.TakeRunnable().Select(r => r.Node));
        // Show is running generation 0: nobody waits for rolling_sum's generation 1 yet.
        Assert.Empty(schedule.TakeRunnable());
        Assert.True(schedule.Complete(show, 0, ["1"]));
        var next = Assert.Single(schedule.TakeRunnable());
        Assert.Equal((rolling, 1), (next.Node, next.Request.Generation));
    }

    [Fact]
    public void AFailedNodeStopsWhatDependsOnItAndNothingElse()
    {
        var schedule = new FlowSchedule(new FlowRunStart { Graph = MultipleOutputs.Build().Graph, TerminateOnNodeError = false });
        var first = Assert.Single(schedule.TakeRunnable());
        Assert.True(schedule.Fail(first.Node, 0, "boom"));
        Assert.Empty(schedule.TakeRunnable());
        Assert.False(schedule.AnyRunning);
    }
}
