using System.Collections.Concurrent;
using System.Diagnostics;
using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>
/// A flow run's spans (ActivitySource <c>Flo.Dataflow</c>, heard here with an <see cref="ActivityListener"/>; silos and
/// the worker run in this process): the run's span in the starter's trace, and for every node generation one span in
/// its grain and one per execution of its code on the worker, each a child of the run's span.
/// </summary>
[Trait("Category", "Dataflow")]
[Collection(DataflowCluster.Name)]
public sealed class FlowTracingTests(TwoSiloMemory fixture)
{
    [Fact]
    public async Task EveryNodeRunIsASpanUnderTheRunsSpanInTheStartersTrace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            // Orleans' grain call spans carry the starter's trace into the run's grain.
            ShouldListenTo = s => s.Name is FlowTracing.SourceName or "Microsoft.Orleans.Application" or "flo.test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("flo.test");
        var ns = FlowRuns.NewNamespace();

        ActivityTraceId traceId;
        FlowRunInfo result;
        using (var root = source.StartActivity("start a flow"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            result = await fixture.Client.RunAsync(CycleBreaking.Build(_ => { }), CycleBreaking.Options with { Namespace = ns });
        }
        Assert.Equal(FlowRunStatus.LimitReached, result.Status);

        string[] generations = ["a0", "b0", "a1", "b1", "a2", "b2", "a3"];
        List<Activity> ofRun() => [.. spans.Where(s => s.Source.Name == FlowTracing.SourceName && Equals(s.GetTagItem(FlowTracing.RunIdTag), result.RunId))];
        string key(Activity s) => $"{s.GetTagItem(FlowTracing.NodeTag)}{s.GetTagItem(FlowTracing.GenerationTag)}";
        // A node's last span ends just after the run heard of it: wait for all of them.
        using var timeout = new CancellationTokenSource(FlowRuns.Patience);
        while (ofRun().Count(s => s.OperationName != FlowTracing.RunSpan) < 2 * generations.Length)
        {
            await Task.Delay(20, timeout.Token);
        }

        var all = ofRun();
        var run = Assert.Single(all, s => s.OperationName == FlowTracing.RunSpan);
        Assert.Equal(traceId, run.TraceId);
        Assert.NotEqual(default, run.ParentSpanId);
        Assert.Equal(("cycle-breaking", ns), (run.GetTagItem(FlowTracing.FlowTag), run.GetTagItem(FlowTracing.NamespaceTag)));
        foreach (var operation in new[] { FlowTracing.NodeRunSpan, FlowTracing.GenerationSpan })
        {
            var nodes = all.Where(s => s.OperationName == operation).ToList();
            Assert.Equal(generations.Order(), nodes.Select(key).Order());
            Assert.All(nodes, s =>
            {
                Assert.Equal((traceId, run.SpanId), (s.TraceId, s.ParentSpanId));
                Assert.Equal("completed", s.GetTagItem(FlowTracing.OutcomeTag));
                Assert.Equal(ActivityStatusCode.Unset, s.Status);
                Assert.Equal(s.GetTagItem(FlowTracing.NodeTag) is "a" ? "Increment" : "Double", s.GetTagItem(FlowTracing.NodeTypeTag));
                Assert.NotNull(s.GetTagItem(FlowTracing.ActionRunTag));
            });
        }
        Assert.All(all.Where(s => s.OperationName == FlowTracing.NodeRunSpan), s => Assert.Equal(1, s.GetTagItem(FlowTracing.AttemptTag)));
        // A generation's span in its grain covers the execution of its code on the worker.
        var executions = all.Where(s => s.OperationName == FlowTracing.NodeRunSpan).ToDictionary(key);
        Assert.All(all.Where(s => s.OperationName == FlowTracing.GenerationSpan), g =>
            Assert.True(g.StartTimeUtc <= executions[key(g)].StartTimeUtc.AddMilliseconds(1), $"{key(g)} starts in its grain after its code runs"));
    }
}
