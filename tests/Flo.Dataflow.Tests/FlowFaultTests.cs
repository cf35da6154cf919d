using System.Collections.Concurrent;
using Flo.Actions;
using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;
using Xunit.Abstractions;

namespace Flo.Dataflow.Tests;

/// <summary>
/// A cyclic flow on three silos (PostgreSQL) while the silo hosting its run's grain (and, by placement, most of its
/// node grains) is killed: the run resumes and ends with the outputs of an uninterrupted run, every generation's code
/// got the inputs the uninterrupted run gives it, and every node generation was applied exactly once (the node code may
/// have run again, as a recorded attempt of the same action run, never applied twice). Once with the node code on a
/// worker, once with node types the silos run themselves (<see cref="SiloNodeTypes"/>), whose code is lost with the
/// killed silo and run again as the next attempt by the node grain's next activation.
/// </summary>
[Trait("Category", "Dataflow")]
[Trait("Category", "Fault")]
public sealed class FlowFaultTests(ThreeSiloPostgresWithNodes fixture, ITestOutputHelper output) : IClassFixture<ThreeSiloPostgresWithNodes>
{
    /// <summary>The run stops when <c>a</c> completes this generation.</summary>
    private const int Limit = 40;

    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(45);

    /// <summary>A stateful running total (the seed's stateful node), so a generation applied twice would show in every later value.</summary>
    public sealed class Total
    {
        public long Sum { get; set; }
    }

    /// <summary>
    /// <c>a = Increment(b)</c> (its default starts the cycle), <c>b = Accumulate(a)</c> (a running total): a_g = b_(g-1) + 1,
    /// b_g = b_(g-1) + a_g. Each execution is recorded with its input and attempt.
    /// </summary>
    private static FlowDefinition Build(Action<string, long> executed)
    {
        var increment = Flow.Node("Increment", async (long value = 0, CancellationToken cancellationToken = default) =>
        {
            executed("a", value);
            // Slow enough that the kill below lands mid-flow on a fast machine too (41 runs: at least 1 s).
            await Task.Delay(25, cancellationToken);
            return value + 1;
        });
        var accumulate = Flow.StatefulNode("Accumulate", () => new Total(), async (Total total, long value) =>
        {
            executed("b", value);
            total.Sum += value;
            return total.Sum;
        });
        var f = new FlowBuilder("fault-cycle");
        f["a"] = increment(f["b"]);
        f["b"] = accumulate(f["a"]);
        return f.Build();
    }

    /// <summary>What an uninterrupted run computes: per node, the input and output of each generation.</summary>
    private static (long[] AIn, long[] A, long[] B) Uninterrupted()
    {
        long[] aIn = new long[Limit + 1], a = new long[Limit + 1], b = new long[Limit + 1];
        for (var g = 0; g <= Limit; g++)
        {
            aIn[g] = g == 0 ? 0 : b[g - 1];
            a[g] = aIn[g] + 1;
            b[g] = (g == 0 ? 0 : b[g - 1]) + a[g];
        }
        return (aIn, a, b);
    }

    [Fact]
    public Task TheFlowCompletesAsUninterruptedWithEachGenerationAppliedOnceWhenItsSiloIsKilled() => RunThroughKillAsync(inSilo: false);

    [Fact]
    public Task SiloRunNodesCompleteAsUninterruptedWithEachGenerationAppliedOnceWhenTheirSiloIsKilled() => RunThroughKillAsync(inSilo: true);

    private async Task RunThroughKillAsync(bool inSilo)
    {
        var cluster = fixture.Cluster;
        var client = fixture.Client;
        var ns = FlowRuns.NewNamespace();
        var options = new FlowCallOptions(ns);
        var executions = new ConcurrentDictionary<(string Node, int Generation), ConcurrentQueue<(int Attempt, long Input)>>();
        string? runId = null;
        await using var progress = new ProgressWatchdog("node executions", StallLimit, async () =>
        {
            var run = await client.Flow.GetAsync(runId!, options);
            return $"run {run.Status}: {string.Join(", ", run.Nodes.Select(n => $"{n.Name} at {n.Generation} {n.Status}"))}";
        }, output.WriteLine);
        void Executed(string node, long input)
        {
            var context = FlowNodeContext.Current!;
            executions.GetOrAdd((node, context.Generation), _ => new()).Enqueue((context.Attempt, input));
            progress.Advance();
        }
        FlowDefinition flow;
        if (inSilo)
        {
            var f = new FlowBuilder("silo-fault-cycle");
            f["a"] = SiloNodeTypes.Increment(f["b"]);
            f["b"] = SiloNodeTypes.Accumulate(f["a"]);
            flow = f.Build();
        }
        else
        {
            flow = Build(Executed);
        }

        // The node code runs on a worker of this process, connected through every gateway, so it outlives the killed
        // silo; or in the silos, where the killed one takes its running generations along.
        await using var worker = client.Flow.NewWorker(new FlowWorkerOptions(Namespace: ns)).Host(flow);
        if (!inSilo)
        {
            await worker.StartAsync();
        }
        // The run's grain is placed (activated by an id) on a silo other than the first, which is then killed; its node
        // grains are activated by its calls, so placement puts most of them beside it.
        (runId, var victim) = await cluster.PlaceAwayFromAsync(cluster.Silos[0], async (name, grains) =>
        {
            var grain = grains.GetGrain<IFlowRunGrain>(FlowLimits.FlowRunKey(ns, name));
            await grain.Get();
            return grain;
        });
        using var observe = SiloNodeTypes.Observe(runId, (what, input) => Executed(what == "increment" ? "a" : "b", (long)input!));
        await using (await client.Flow.StartAsync(flow, new FlowRunOptions { Namespace = ns, RunId = runId, StopAt = Limit, HostNodes = false }))
        {
        }

        // Killed mid-flow. What brings the run back: the worker's report reactivates the node grain, whose report
        // reactivates the run's grain (so does a caller waiting for it, or its reminder once registered).
        await progress.UntilAsync(() => progress.Count >= 16, "generations before the kill");
        var nodeHosts = await Task.WhenAll(new[] { "a", "b" }.Select(n => cluster.HostOfAsync(client.Grains.GetGrain<IFlowNodeGrain>(FlowLimits.NodeKey(ns, runId, n)))));
        output.WriteLine($"run {runId} on {victim.Name}; nodes a, b on {string.Join(", ", nodeHosts.Select(h => h?.Name))}");
        var atKill = progress.Count;
        await progress.WaitAsync(cluster.KillSiloAsync(victim), "the others to declare the killed silo dead");
        output.WriteLine($"killed {victim.Name} after {atKill} node executions");
        var result = await progress.WaitAsync(WaitForEndAsync(client, runId, options, progress), "the run to finish");
        output.WriteLine($"run {result.Status} ({result.Reason}) after {progress.Count} node executions");

        var (aIn, a, b) = Uninterrupted();
        Assert.Equal((FlowRunStatus.LimitReached, "a"), (result.Status, result.LimitNode));
        Assert.Equal((a[Limit], b[Limit - 1]), (result.ValueOf<long>("a"), result.ValueOf<long>("b")));
        Assert.True(progress.Count > atKill, "the flow made no progress after the kill");

        // Every execution got the uninterrupted run's input; re-executions are further attempts, never the same one twice.
        foreach (var ((node, generation), ran) in executions)
        {
            var list = ran.ToList();
            Assert.All(list, e => Assert.Equal(node == "a" ? aIn[generation] : a[generation], e.Input));
            Assert.Equal(list.Count, list.Select(e => e.Attempt).Distinct().Count());
        }
        output.WriteLine($"node generations executed more than once: {executions.Count(e => e.Value.Count > 1)}");

        // Exactly once: generations 0..completed each applied once, in order, each by its own action run.
        var nodes = (await client.Flow.GetNodesAsync(runId, options)).ToDictionary(n => n.Name);
        Assert.Equal((Limit, Limit - 1), (nodes["a"].Completed, nodes["b"].Completed));
        Assert.Equal(b[Limit - 1], nodes["b"].State<Total>()!.Sum);
        foreach (var node in nodes.Values)
        {
            output.WriteLine($"{node.Name}: applied {node.Applied}, discarded {node.Discarded}");
            Assert.Equal(node.Completed + 1, node.Applied);
            Assert.Equal(Enumerable.Range(0, node.Completed + 1), node.Runs.Select(r => r.Generation));
            Assert.All(node.Runs, r => Assert.Equal(FlowNodeStatus.Completed, r.Outcome));
            if (inSilo)
            {
                // Run in the silos: no action runs; the code of a generation ran once per attempt (distinct, above).
                Assert.All(node.Runs, r => Assert.Null(r.ActionRunId));
                continue;
            }
            Assert.Equal(node.Runs.Count, node.Runs.Select(r => r.ActionRunId).Distinct().Count(id => id is not null));
            foreach (var run in node.Runs)
            {
                // The code ran once per recorded attempt of the generation's one action run, at most. The worker tells
                // the node before it completes the action run, so the run may still be finishing when the flow ended.
                var action = await client.Action.WaitAsync(run.ActionRunId!, TimeSpan.FromSeconds(30), new ActionCallOptions(ns));
                Assert.Equal(RunStatus.Completed, action.Status);
                Assert.Equal(FlowLimits.RunKey(runId, node.Name, run.Generation), action.IdempotencyKey);
                Assert.InRange(executions[(node.Name, run.Generation)].Count, 1, action.Attempts.Count);
            }
        }
    }

    /// <summary>Waits for the run's end through the kill: calls that fail while the cluster recovers are made again.</summary>
    private async Task<FlowRunInfo> WaitForEndAsync(FloClient client, string runId, FlowCallOptions options, ProgressWatchdog progress)
    {
        while (true)
        {
            progress.Stalled.ThrowIfCancellationRequested();
            try
            {
                return await client.Flow.WaitAsync(runId, TimeSpan.FromSeconds(10), options);
            }
            catch (FlowRunWaitTimeoutException)
            {
            }
            catch (Exception e) when (e is not FlowRunNotFoundException and not InvalidArgumentException)
            {
                output.WriteLine($"waiting for the run: {e.GetType().Name}: {e.Message}");
                await Task.Delay(200);
            }
        }
    }
}
