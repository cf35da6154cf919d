using System.Collections.Concurrent;
using Flo.Actions;
using Flo.Dataflow.Tests.Infrastructure;
using Flo.Testing;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Flo.Dataflow.Tests;

/// <summary>
/// A generation's worker may report its result before the node grain's invoke of the action run returns (a new
/// activation finding a run that was already running by its key, or a fast worker on a slow reply): the generation is
/// completed by that report, and the node must not then cancel the action run as one it no longer needs. Seen once
/// in the fault test as a completed generation whose action run ended Cancelled.
/// </summary>
[Trait("Category", "Dataflow")]
public sealed class ReportBeforeInvokeReturnsTests
{
    [Fact]
    public async Task AnActionRunThatReportedBeforeItsInvokeReturnedIsNotCancelled()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions { ExtraSiloConfigurator = typeof(HoldInvokesConfigurator) });
        await using var client = await cluster.ConnectAsync();
        var ns = FlowRuns.NewNamespace();
        var runId = "held-" + Guid.NewGuid().ToString("N")[..8];
        var held = 0;
        // Each node generation's invoke answers the node only once its action run has finished: its worker reported
        // the generation to the node (it does before completing the run) while the node still waited for the run's id.
        HoldInvokes.AfterInvoke = async (invocation, actionRunId) =>
        {
            if (invocation.IdempotencyKey?.StartsWith($"flow:{runId}:", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref held);
                await client.Action.WaitAsync(actionRunId, FlowRuns.Patience, new ActionCallOptions(ns));
            }
        };
        try
        {
            var result = await client.RunAsync(CycleBreaking.Build(_ => { }), CycleBreaking.Options with { Namespace = ns, RunId = runId });
            Assert.Equal(FlowRunStatus.LimitReached, result.Status);
            Assert.True(held >= 7, $"only {held} invokes were held");
            var nodes = await client.Flow.GetNodesAsync(runId, new FlowCallOptions(ns));
            foreach (var run in nodes.SelectMany(n => n.Runs))
            {
                Assert.Equal(FlowNodeStatus.Completed, run.Outcome);
                var action = await client.Action.GetRunAsync(run.ActionRunId!, new ActionCallOptions(ns));
                Assert.Equal(RunStatus.Completed, action.Status);
            }
            // The run's end cancels nothing either: every generation was reported.
            Assert.DoesNotContain(HoldInvokes.Cancelled, key => key.StartsWith(ns + "/", StringComparison.Ordinal));
        }
        finally
        {
            HoldInvokes.AfterInvoke = null;
        }
    }

    /// <summary>Holds the replies of action invokes as the test says and records which action runs are cancelled.</summary>
    public sealed class HoldInvokes : IOutgoingGrainCallFilter
    {
        internal static Func<RunInvocation, string, Task>? AfterInvoke { get; set; }

        internal static ConcurrentQueue<string> Cancelled { get; } = new();

        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            var called = context.InterfaceMethod?.DeclaringType;
            // Read before the call: Orleans resets the request's arguments once it is sent.
            var invocation = called == typeof(IActionDispatchGrain) ? context.Request.GetArgument(0) as RunInvocation : null;
            await context.Invoke();
            if (invocation is not null && context.Result is string actionRunId && AfterInvoke is { } hold)
            {
                await hold(invocation, actionRunId);
            }
            else if (called == typeof(IActionRunGrain) && context.MethodName == nameof(IActionRunGrain.Cancel))
            {
                Cancelled.Enqueue(context.TargetId.Key.ToString()!);
            }
        }
    }

    /// <summary>Installs <see cref="HoldInvokes"/> in every silo.</summary>
    public sealed class HoldInvokesConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddOutgoingGrainCallFilter<HoldInvokes>();
    }
}
