using Flo.Dataflow.Tests.Infrastructure;
using Flo.Kv;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests;

/// <summary>
/// A namespace's runs: listed newest first, by status and in pages (the index per namespace); deleting a finished run
/// removes the run, its node grains' state, the values it passed by reference and its entry; a running run is refused.
/// </summary>
[Trait("Category", "Dataflow")]
[Collection(SiloNodesCluster.Name)]
public sealed class FlowRunListingTests(TwoSiloMemoryWithNodes fixture)
{
    private FloClient Client => fixture.Client;

    private static FlowDefinition Counting(int n)
    {
        var f = new FlowBuilder("counting");
        f["count"] = SiloNodeTypes.Count(n);
        return f.Build();
    }

    /// <summary>The listing once every run in it shows as <paramref name="until"/> wants (the index follows each run shortly after it changes).</summary>
    private async Task<FlowRunPage> ListUntilAsync(FlowCallOptions options, Func<FlowRunPage, bool> until, FlowRunStatus? status = null, int limit = 50, string? cursor = null)
    {
        using var timeout = new CancellationTokenSource(FlowRuns.Patience);
        while (true)
        {
            var page = await Client.Flow.ListRunsAsync(status, limit, cursor, options, timeout.Token);
            if (until(page))
            {
                return page;
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task RunsAreListedNewestFirstByStatusAndInPages()
    {
        var ns = FlowRuns.NewNamespace();
        var options = new FlowCallOptions(ns);
        var runs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add((await Client.RunAsync(Counting(i + 1), new FlowRunOptions { Namespace = ns, HostNodes = false })).RunId);
        }
        var failing = new FlowBuilder("failing");
        failing["boom"] = SiloNodeTypes.Fail(1);
        var failed = await Client.RunAsync(failing.Build(), new FlowRunOptions { Namespace = ns, HostNodes = false });
        var hanging = new FlowBuilder("hanging");
        hanging["hang"] = SiloNodeTypes.Hang(1);
        await using var running = await Client.Flow.StartAsync(hanging.Build(), new FlowRunOptions { Namespace = ns, HostNodes = false });

        // Newest first; statuses once the index caught up with the finished runs.
        var all = await ListUntilAsync(options, p => p.Runs.Count == 5 && p.Runs.Count(r => r.Status.IsFinished()) == 4);
        Assert.Equal([running.RunId, failed.RunId, .. Enumerable.Reverse(runs)], all.Runs.Select(r => r.RunId));
        Assert.Null(all.NextCursor);
        Assert.Equal(("hanging", FlowRunStatus.Running, 0L), (all.Runs[0].Flow, all.Runs[0].Status, all.Runs[0].FinishedAtMs));
        Assert.Equal(("failing", FlowRunStatus.Failed), (all.Runs[1].Flow, all.Runs[1].Status));
        Assert.All(all.Runs.Skip(2), r => Assert.Equal(("counting", FlowRunStatus.Completed), (r.Flow, r.Status)));
        Assert.All(all.Runs.Skip(1), r => Assert.True(r.FinishedAtMs >= r.StartedAtMs));

        // By status.
        Assert.Equal([running.RunId], (await Client.Flow.ListRunsAsync(FlowRunStatus.Running, options: options)).Runs.Select(r => r.RunId));
        Assert.Equal([failed.RunId], (await Client.Flow.ListRunsAsync(FlowRunStatus.Failed, options: options)).Runs.Select(r => r.RunId));
        Assert.Equal(3, (await Client.Flow.ListRunsAsync(FlowRunStatus.Completed, options: options)).Runs.Count);

        // In pages of two: every run once, in the same order.
        var paged = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Client.Flow.ListRunsAsync(limit: 2, cursor: cursor, options: options);
            paged.AddRange(page.Runs.Select(r => r.RunId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(all.Runs.Select(r => r.RunId), paged);

        await Assert.ThrowsAsync<FlowArgumentException>(() => Client.Flow.ListRunsAsync(limit: 0, options: options));
        await Assert.ThrowsAsync<FlowArgumentException>(() => Client.Flow.ListRunsAsync(cursor: "not-a-cursor", options: options));
        Assert.True(await running.CancelAsync());
    }

    [Fact]
    public async Task DeletingAFinishedRunRemovesItsNodesValuesAndEntry()
    {
        var ns = FlowRuns.NewNamespace();
        var options = new FlowCallOptions(ns);
        var length = Flow.Node("length", (string text) => text.Length);
        var f = new FlowBuilder("large");
        f["big"] = SiloNodeTypes.Big(100_000);
        f["length"] = length(f["big"]);
        var result = await Client.RunAsync(f.Build(), new FlowRunOptions { Namespace = ns });
        Assert.Equal((FlowRunStatus.Completed, 100_000), (result.Status, result.ValueOf<int>("length")));
        var key = FlowValueRefs.Key(result.RunId, "big", 0, 0);
        Assert.NotNull(await Client.Kv.GetAsync(key, new GetOptions(Namespace: ns)));
        await ListUntilAsync(options, p => p.Runs.Any(r => r.RunId == result.RunId && r.Status == FlowRunStatus.Completed));

        await Client.Flow.DeleteAsync(result.RunId, options);

        await Assert.ThrowsAsync<FlowRunNotFoundException>(() => Client.Flow.GetAsync(result.RunId, options));
        foreach (var node in new[] { "big", "length" })
        {
            Assert.Null(await Client.Grains.GetGrain<IFlowNodeGrain>(FlowLimits.NodeKey(ns, result.RunId, node)).Get());
        }
        Assert.Null(await Client.Kv.GetAsync(key, new GetOptions(Namespace: ns)));
        Assert.Empty((await Client.Kv.ScanAsync(FlowValueRefs.KeyPrefix(result.RunId), options: new ScanOptions(Namespace: ns))).Keys);
        Assert.Empty((await Client.Flow.ListRunsAsync(options: options)).Runs);
        await Assert.ThrowsAsync<FlowRunNotFoundException>(() => Client.Flow.DeleteAsync(result.RunId, options));
    }

    [Fact]
    public async Task ARunningRunIsNotDeleted()
    {
        var ns = FlowRuns.NewNamespace();
        var options = new FlowCallOptions(ns);
        var f = new FlowBuilder("hanging");
        f["hang"] = SiloNodeTypes.Hang(2);
        await using var run = await Client.Flow.StartAsync(f.Build(), new FlowRunOptions { Namespace = ns, HostNodes = false });

        var refused = await Assert.ThrowsAsync<FlowRunNotFinishedException>(() => Client.Flow.DeleteAsync(run.RunId, options));
        Assert.Equal(FlowRunStatus.Running, refused.Status);
        Assert.Equal(FlowRunStatus.Running, (await run.GetAsync()).Status);

        Assert.True(await run.CancelAsync());
        await run.WaitAsync(FlowRuns.Patience);
        await Client.Flow.DeleteAsync(run.RunId, options);
        await Assert.ThrowsAsync<FlowRunNotFoundException>(() => Client.Flow.GetAsync(run.RunId, options));
    }
}
