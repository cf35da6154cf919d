using System.Collections.Concurrent;
using System.Text;
using Flo.Storage;
using Flo.Tests.Shared;
using Xunit.Abstractions;

namespace Flo.Actions.Tests;

/// <summary>A silo killed while runs are invoked and executed: every acknowledged invoke completes exactly once.</summary>
[Trait("Category", "Fault")]
public sealed class ActionFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task EveryAcknowledgedInvokeCompletesExactlyOnceWhenASiloIsKilled()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 3,
            Storage = FloStorageProvider.Postgres,
            ConnectionString = await postgres.CreateDatabaseAsync(),
        });
        await using var client = await cluster.ConnectAsync();
        const string action = "fault-work";
        await client.Action.RegisterAsync(action, new ActionRegisterOptions(TimeoutMs: 60_000, MaxRetries: 10, RetryDelayMs: 50, Partitions: 2));

        // Handlers record every execution: how many run at once per run, and which attempts ran.
        var concurrent = new ConcurrentDictionary<string, int>();
        var executions = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var overlaps = 0;
        await using var worker = client.NewActionWorker(new ActionWorkerOptions(Concurrency: 8, HeartbeatInterval: TimeSpan.FromMilliseconds(500), LeaseTimeout: TimeSpan.FromSeconds(8)));
        worker.Action(action, async ctx =>
        {
            if (concurrent.AddOrUpdate(ctx.RunId, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }
            executions.GetOrAdd(ctx.RunId, _ => new()).Enqueue(ctx.Attempt);
            try
            {
                await Task.Delay(20);
                return Encoding.UTF8.GetBytes("done:" + ctx.Text);
            }
            finally
            {
                concurrent.AddOrUpdate(ctx.RunId, 0, (_, n) => n - 1);
            }
        });
        await worker.StartAsync();

        var acknowledged = new ConcurrentDictionary<string, string>();
        var errors = new ConcurrentDictionary<string, int>();
        await using var progress = new ProgressWatchdog("acknowledged invokes", StallLimit,
            () => Task.FromResult($"errors: {string.Join("; ", errors.Select(e => $"{e.Value} x {e.Key}"))}; running {worker.Running}"), output.WriteLine);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(progress.Stalled);
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var payload = $"p{p}-n{n}";
                try
                {
                    var runId = await client.Action.InvokeAsync(action, Encoding.UTF8.GetBytes(payload));
                    acknowledged[runId] = payload;
                    progress.Advance();
                }
                catch (Exception e) when (e is FloException or OrleansException or TimeoutException or ObjectDisposedException && e is not InvalidArgumentException)
                {
                    errors.AddOrUpdate($"{e.GetType().Name}: {e.Message[..Math.Min(100, e.Message.Length)]}", 1, (_, c) => c + 1);
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await progress.UntilAsync(() => progress.Count >= 150, "150 invokes before the kill");
        await progress.WaitAsync(cluster.KillSiloAsync(cluster.Silos[1]), "the others to declare the killed silo dead");
        var atKill = progress.Count;
        await progress.UntilAsync(() => progress.Count >= atKill + 100, "100 invokes after the kill");
        await stop.CancelAsync();
        await progress.WaitAsync(Task.WhenAll(producers), "the producers to stop");
        output.WriteLine($"{acknowledged.Count} invokes acknowledged; {errors.Values.Sum()} failed");

        foreach (var (runId, payload) in acknowledged)
        {
            var run = await progress.WaitAsync(client.Action.WaitAsync(runId, TimeSpan.FromSeconds(60)), $"run {runId} to finish");
            progress.Advance();
            Assert.Equal(RunStatus.Completed, run.Status);
            Assert.Equal("done:" + payload, Encoding.UTF8.GetString(run.Result!));
            var ran = executions.TryGetValue(runId, out var attempts) ? attempts.ToList() : [];
            // Every execution is a recorded attempt (no attempt ran twice), and the completed one is among them.
            Assert.Equal(ran.Count, ran.Distinct().Count());
            Assert.All(ran, a => Assert.InRange(a, 1, run.Attempts.Count));
            Assert.Contains(run.Attempts[^1].Number, ran);
        }
        Assert.Equal(0, Volatile.Read(ref overlaps));
        var retried = acknowledged.Keys.Count(id => executions.TryGetValue(id, out var a) && a.Count > 1);
        output.WriteLine($"runs executed more than once (as recorded retry attempts): {retried}");
    }
}
