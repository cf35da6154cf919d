using System.Threading.Tasks.Dataflow;

namespace Flo.Bench.Dataflow;

/// <summary>
/// The floor: the same two graphs in <c>System.Threading.Tasks.Dataflow</c> in this process (nothing stored, nothing
/// crosses a process). Every block holds one value at a time (<c>BoundedCapacity = 1</c>), as a Flo node holds one
/// generation, so the pipeline is in lockstep too (the cycle holds one value by itself).
/// </summary>
public static class TplGraphs
{
    private static readonly ExecutionDataflowBlockOptions One = new() { BoundedCapacity = 1 };
    private static readonly DataflowLinkOptions Propagate = new() { PropagateCompletion = true };

    /// <summary>The 10-node pipeline: the source block takes the generation numbers, then 8 stages and a sink.</summary>
    public static async Task<DataflowResult> PipelineAsync(int generations)
    {
        var clock = new GenerationClock(generations);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var source = new TransformBlock<long, long>(g =>
        {
            clock.Ran();
            clock.Start(g);
            return g;
        }, One);
        ISourceBlock<long> last = source;
        for (var i = 1; i < BenchGraphs.PipelineNodes - 1; i++)
        {
            var stage = new TransformBlock<long, long>(v =>
            {
                clock.Ran();
                return v + 1;
            }, One);
            last.LinkTo(stage, Propagate);
            last = stage;
        }
        var generation = 0L;
        var sink = new ActionBlock<long>(_ =>
        {
            clock.Ran();
            clock.End(generation++);
        }, One);
        last.LinkTo(sink, Propagate);
        for (var g = 0L; g < generations; g++)
        {
            await source.SendAsync(g);
        }
        source.Complete();
        await sink.Completion;
        return clock.Result("tpl dataflow pipeline (in-process)", BenchGraphs.PipelineNodes, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The 2-node cycle: a's output goes to b, b's back to a, until b ran the last generation.</summary>
    public static async Task<DataflowResult> CycleAsync(int generations)
    {
        var clock = new GenerationClock(generations);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ActionBlock<long>? a = null;
        var generation = 0L;
        // One value goes round: each block receives the next before it has returned from the last, so they are not bounded.
        var b = new ActionBlock<long>(v =>
        {
            clock.Ran();
            clock.End(generation);
            if (++generation < generations)
            {
                a!.Post(v);
            }
            else
            {
                done.TrySetResult();
            }
        });
        var aGeneration = 0L;
        a = new ActionBlock<long>(v =>
        {
            clock.Ran();
            clock.Start(aGeneration++);
            b.Post(v + 1);
        });
        a.Post(0);
        await done.Task;
        return clock.Result("tpl dataflow cycle (in-process)", 2, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }
}
