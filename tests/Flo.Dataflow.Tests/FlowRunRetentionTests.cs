using Flo.Dataflow.Tests.Infrastructure;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>With <c>Cluster:Dataflow:FinishedRunRetention</c>, finished runs are deleted once older; running ones stay.</summary>
[Trait("Category", "Dataflow")]
public sealed class FlowRunRetentionTests(OneSiloWithRetention fixture) : IClassFixture<OneSiloWithRetention>
{
    [Fact]
    public async Task FinishedRunsAreDeletedAfterTheRetentionAndRunningOnesKept()
    {
        var client = fixture.Client;
        var ns = FlowRuns.NewNamespace();
        var options = new FlowCallOptions(ns);
        var hanging = new FlowBuilder("hanging");
        hanging["hang"] = SiloNodeTypes.Hang(3);
        await using var running = await client.Flow.StartAsync(hanging.Build(), new FlowRunOptions { Namespace = ns, HostNodes = false });
        var counting = new FlowBuilder("counting");
        counting["count"] = SiloNodeTypes.Count(3);
        var finished = await client.RunAsync(counting.Build(), new FlowRunOptions { Namespace = ns, HostNodes = false });
        Assert.Equal(FlowRunStatus.Completed, finished.Status);

        // Gone once the index's timer saw it past the retention (a tick every half second).
        using (var timeout = new CancellationTokenSource(FlowRuns.Patience))
        {
            while ((await client.Flow.ListRunsAsync(options: options, cancellationToken: timeout.Token)).Runs.Any(r => r.RunId == finished.RunId))
            {
                await Task.Delay(100, timeout.Token);
            }
        }
        await Assert.ThrowsAsync<FlowRunNotFoundException>(() => client.Flow.GetAsync(finished.RunId, options));
        Assert.Null(await client.Grains.GetGrain<IFlowNodeGrain>(FlowLimits.NodeKey(ns, finished.RunId, "count")).Get());

        var listed = await client.Flow.ListRunsAsync(options: options);
        Assert.Equal([running.RunId], listed.Runs.Select(r => r.RunId));
        Assert.Equal(FlowRunStatus.Running, (await running.GetAsync()).Status);
        Assert.True(await running.CancelAsync());
    }
}
