using Flo.Dataflow;

namespace Flo.Bench.Dataflow;

/// <summary>The two graphs measured, as Flo flows: trivial node code (add one), timed by a <see cref="GenerationClock"/>.</summary>
public static class BenchGraphs
{
    /// <summary>Nodes of the pipeline.</summary>
    public const int PipelineNodes = 10;

    /// <summary>
    /// A 10-node pipeline <c>n0 → n1 → ... → n9</c>. <c>n0</c> counts itself (a self-loop with a default), which makes
    /// the pipeline run generation after generation (a flow without a cycle runs once); each stage adds one. Lockstep
    /// lets all ten nodes run at once on successive generations. Stop with <c>StopAtNode = { n9: generations - 1 }</c>.
    /// </summary>
    public static FlowDefinition Pipeline(GenerationClock clock) => Pipeline(() => clock, "");

    /// <summary>The pipeline with node types named <c>{prefix}Source</c>, ... timing with whatever clock <paramref name="clock"/> gives.</summary>
    public static FlowDefinition Pipeline(Func<GenerationClock> clock, string prefix)
    {
        var source = Flow.Node(prefix + "Source", async (long previous = -1) =>
        {
            clock().Ran();
            clock().Start(previous + 1);
            return previous + 1;
        });
        var stage = Flow.Node(prefix + "Stage", async (long value) =>
        {
            clock().Ran();
            return value + 1;
        });
        var sink = Flow.Node(prefix + "Sink", async (long value) =>
        {
            clock().Ran();
            clock().End(FlowNodeContext.Current!.Generation);
            return value;
        });
        var f = new FlowBuilder("pipeline");
        f["n0"] = source(f["n0"]);
        for (var i = 1; i < PipelineNodes - 1; i++)
        {
            f[$"n{i}"] = stage(f[$"n{i - 1}"]);
        }
        f[$"n{PipelineNodes - 1}"] = sink(f[$"n{PipelineNodes - 2}"]);
        return f.Build();
    }

    /// <summary>The pipeline's last node, whose limit ends a run.</summary>
    public static string PipelineSink => $"n{PipelineNodes - 1}";

    /// <summary>
    /// A 2-node cycle <c>a = Increment(b)</c> (its default starts it), <c>b = Step(a)</c>: strictly one node at a time,
    /// a generation is a's run then b's. Stop with <c>StopAtNode = { b: generations - 1 }</c>.
    /// </summary>
    public static FlowDefinition Cycle(GenerationClock clock) => Cycle(() => clock, "");

    /// <summary>The cycle with node types named <c>{prefix}Increment</c>, <c>{prefix}Step</c>, timing with whatever clock <paramref name="clock"/> gives.</summary>
    public static FlowDefinition Cycle(Func<GenerationClock> clock, string prefix)
    {
        var increment = Flow.Node(prefix + "Increment", async (long value = 0) =>
        {
            clock().Ran();
            clock().Start(FlowNodeContext.Current!.Generation);
            return value + 1;
        });
        var step = Flow.Node(prefix + "Step", async (long value) =>
        {
            clock().Ran();
            clock().End(FlowNodeContext.Current!.Generation);
            return value;
        });
        var f = new FlowBuilder("cycle");
        f["a"] = increment(f["b"]);
        f["b"] = step(f["a"]);
        return f.Build();
    }
}
