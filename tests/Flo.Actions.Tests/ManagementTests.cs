using System.Text;
using Flo.Management;
using Flo.Queues;
using Flo.Streams;
using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>
/// <c>client.Management</c> on two silos: a namespace's overview (runs per status, throughput, workers, counts), queue
/// depths and DLQs, stream lengths and group lags, the namespace directory, cluster silos with activations, health,
/// and retrying a finished run. Each test has its own namespace, so counts are exact.
/// </summary>
[Trait("Category", "Actions")]
public sealed class ManagementTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    /// <summary>How long a wait may see no progress before the test fails.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FloClient In(string ns) => new(fixture.Client.Grains, fixture.Client.Options with { Namespace = ns });

    private static string NewNamespace() => $"m-{Guid.NewGuid():N}";

    /// <summary>Reads until <paramref name="done"/> holds; fails only when the reading stops changing for <see cref="Patience"/>.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var last = await read();
        var lastChange = DateTime.UtcNow;
        var lastText = last?.ToString();
        while (!done(last))
        {
            Assert.True(DateTime.UtcNow - lastChange < Patience, $"No progress for {Patience}: {lastText}");
            await Task.Delay(50);
            last = await read();
            if (last?.ToString() != lastText)
            {
                (lastText, lastChange) = (last?.ToString(), DateTime.UtcNow);
            }
        }
        return last;
    }

    [Fact]
    public async Task TheOverviewCountsRunsPerStatusThroughputWorkersAndThings()
    {
        var ns = NewNamespace();
        var client = In(ns);
        await client.Action.RegisterAsync("work", new ActionRegisterOptions(MaxRetries: 0));
        await using var worker = client.NewActionWorker(new ActionWorkerOptions(Concurrency: 3));
        worker.Action("work", ctx => ctx.Text == "fail" ? throw new InvalidOperationException("boom") : Task.FromResult(ctx.Payload));
        await worker.StartAsync();
        var runs = new List<string>();
        foreach (var payload in new[] { "ok", "ok", "fail", "ok", "fail" })
        {
            runs.Add(await client.Action.InvokeAsync("work", Encoding.UTF8.GetBytes(payload)));
        }
        foreach (var run in runs)
        {
            await client.Action.WaitAsync(run, Patience);
        }
        await client.Schedule.IntervalAsync("work", TimeSpan.FromHours(1));
        await client.Queue.EnqueueAsync("jobs", [1]);
        await client.Stream.AppendAsync("log", [1]);

        // Throughput is counted as the run events reach the hub, which may trail the run's own answer a little.
        var overview = await EventuallyAsync(() => client.Management.OverviewAsync(), o => o.Throughput.Sum(t => t.Completed + t.Failed) == 5);
        Assert.Equal(ns, overview.Namespace);
        Assert.Equal((3L, 2L, 0L, 0L), (overview.Runs.Completed, overview.Runs.Failed, overview.Runs.Pending, overview.Runs.Running));
        Assert.Equal(ManagementApi.ThroughputMinutes, overview.Throughput.Count);
        Assert.Equal((5L, 5L, 3L, 2L), (overview.Throughput.Sum(t => t.Created), overview.Throughput.Sum(t => t.Started), overview.Throughput.Sum(t => t.Completed), overview.Throughput.Sum(t => t.Failed)));
        Assert.True(overview.Throughput.Zip(overview.Throughput.Skip(1)).All(p => p.Second.MinuteMs - p.First.MinuteMs == 60_000), "minutes are consecutive, oldest first");
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - overview.Throughput[^1].MinuteMs, 0, 61_000);
        Assert.Equal((1, 1, 3), (overview.Workers.Alive, overview.Workers.Total, overview.Workers.Concurrency));
        Assert.Equal((1, 1, 1, 1), (overview.Actions, overview.Schedules.Total, overview.Queues, overview.Streams));
        Assert.Contains(ns, await client.Management.NamespacesAsync());
    }

    [Fact]
    public async Task QueuesShowDepthInFlightAndDeadLettersAndStreamsShowLengthAndGroupLag()
    {
        var client = In(NewNamespace());
        await client.Queue.ConfigureAsync("b-two-partitions", QueueSettings.Default with { Partitions = 2 });
        for (var i = 0; i < 4; i++)
        {
            await client.Queue.EnqueueAsync("a-orders", [(byte)i]);
            await client.Queue.EnqueueAsync("b-two-partitions", [(byte)i]);
        }
        var leased = await client.Queue.DequeueAsync("a-orders", 2);
        await client.Queue.NackAsync("a-orders", [leased[0].Seq], new NackOptions(ToDlq: true, Error: "bad"));
        await client.Stream.GroupJoinAsync("events", "billing", "c1");
        for (var i = 0; i < 5; i++)
        {
            await client.Stream.AppendAsync("events", [(byte)i]);
        }
        Assert.Equal(2, (await client.Stream.GroupReadAsync("events", "billing", "c1", new StreamGroupReadOptions(Count: 2))).Count);

        var queues = await client.Management.QueuesAsync();
        Assert.Equal(["a-orders", "b-two-partitions"], queues.Select(q => q.Name));
        var orders = queues[0].Stats;
        Assert.Equal((2L, 1L, 1L, 1), (orders.Depth, orders.InFlight, orders.DlqSize, orders.Partitions));
        Assert.Equal((4L, 2), (queues[1].Stats.Depth, queues[1].Stats.Partitions));
        // Pages by name: after the first, the second only.
        Assert.Equal(["b-two-partitions"], (await client.Management.QueuesAsync(after: "a-orders", limit: 1)).Select(q => q.Name));
        Assert.Equal(["a-orders"], (await client.Management.QueuesAsync(limit: 1)).Select(q => q.Name));

        var stream = Assert.Single(await client.Management.StreamsAsync());
        Assert.Equal(("events", 5L), (stream.Name, stream.Info.Length));
        var group = Assert.Single(stream.Groups);
        Assert.Equal(("billing", 1, 2L, 3L, 0L), (group.Name, group.Consumers, group.Pending, group.Lag, group.DlqSize));
    }

    [Fact]
    public async Task AnEmptyNamespaceHasAnEmptyOverviewAndBadInputIsRefused()
    {
        var client = In(NewNamespace());
        var overview = await client.Management.OverviewAsync();
        Assert.Equal((0, 0, 0, 0L), (overview.Actions, overview.Queues, overview.Streams, overview.Runs.Completed));
        Assert.Empty(await client.Management.QueuesAsync());
        Assert.Empty(await client.Management.StreamsAsync());
        await Assert.ThrowsAsync<ActionArgumentException>(() => client.Management.OverviewAsync("bad namespace!"));
        await Assert.ThrowsAsync<ActionArgumentException>(() => client.Management.QueuesAsync(limit: 0));
        await Assert.ThrowsAsync<ActionArgumentException>(() => client.Management.StreamsAsync(limit: ManagementApi.MaxPage + 1));
    }

    [Fact]
    public async Task TheClusterShowsEverySiloWithActivationsAndCallRatesAndIsHealthy()
    {
        var first = await fixture.Client.Management.ClusterAsync();
        Assert.Equal(fixture.Cluster.Silos.Count, first.Silos.Count);
        Assert.All(first.Silos, s => Assert.Equal("Active", s.Status));
        Assert.All(first.Silos, s => Assert.False(string.IsNullOrEmpty(s.Gateway)));
        Assert.True(first.Activations > 0, "the platform's grains are active");
        Assert.Equal(first.Silos.Sum(s => (long)s.Activations), first.Activations);
        // Calls per second need two readings through the same API a second or more apart.
        await Task.Delay(1_100);
        var second = await fixture.Client.Management.ClusterAsync();
        // Every silo counts the calls it receives; the cluster's grains (and this test's reads) keep them moving.
        Assert.True(second.CallsPerSecond > 0, $"calls per second: {second.CallsPerSecond}");
        Assert.All(second.Silos, s => Assert.NotNull(s.CallsPerSecond));
        Assert.All(second.Silos, s => Assert.True(s.Calls > 0, $"{s.Name} counted no call"));
        Assert.All(second.Silos, s => Assert.True(s.Calls >= first.Silos.Single(f => f.Address == s.Address).Calls, "a silo's count never goes back"));

        var health = await fixture.Client.Management.HealthAsync();
        Assert.True(health.Healthy, health.Problem);
        Assert.Equal(fixture.Cluster.Silos.Count, health.ActiveSilos);
        Assert.NotNull(health.RoundTripMs);
    }

    [Fact]
    public async Task RetryRunsAFinishedRunAgainOnceAndRefusesAnUnfinishedOne()
    {
        var client = In(NewNamespace());
        await client.Action.RegisterAsync("flaky", new ActionRegisterOptions(MaxRetries: 0));
        var failNext = 1;
        await using var worker = client.NewActionWorker();
        worker.Action("flaky", ctx => Interlocked.Exchange(ref failNext, 0) == 1 ? throw new InvalidOperationException("first time fails") : Task.FromResult(ctx.Payload));
        await worker.StartAsync();
        var failed = await client.Action.InvokeAsync("flaky", Encoding.UTF8.GetBytes("payload-1"), new ActionInvokeOptions(Priority: 7));
        Assert.Equal(RunStatus.Failed, (await client.Action.WaitAsync(failed, Patience)).Status);

        var retry = await client.Management.RetryRunAsync(failed);
        Assert.NotEqual(failed, retry);
        // A second retry of the same run (a double click, a resent call) is the same new run.
        Assert.Equal(retry, await client.Action.RetryAsync(failed));
        var run = await client.Action.WaitAsync(retry, Patience);
        Assert.Equal((RunStatus.Completed, "payload-1", 7, ActionApi.RetryKey(failed)), (run.Status, Encoding.UTF8.GetString(run.Result!), run.Priority, run.IdempotencyKey));
        Assert.Equal(RunStatus.Failed, (await client.Management.GetRunAsync(failed)).Status);

        await client.Action.RegisterAsync("nobody-works-this");
        var pending = await client.Action.InvokeAsync("nobody-works-this", []);
        var refused = await Assert.ThrowsAsync<RunNotFinishedException>(() => client.Management.RetryRunAsync(pending));
        Assert.Equal(RunStatus.Pending, refused.Status);
        Assert.True(await client.Management.CancelRunAsync(pending));
        Assert.NotEqual(pending, await client.Management.RetryRunAsync(pending));
        await Assert.ThrowsAsync<RunNotFoundException>(() => client.Management.RetryRunAsync(new string('0', 32)));
    }
}
