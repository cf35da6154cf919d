using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>The task executor's API over actions: register typed tasks, submit, wait for results.</summary>
public sealed class TaskAppTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FloClient Client => fixture.Client;

    [Fact]
    public async Task TheExecutorsSubmitAndWaitExampleRuns()
    {
        // Executor seed: @app.task() async def fetch_data(url) ...; @app.task(cpu_bound=True) def heavy_compute(n) ...;
        // task_id = await app.submit(fetch_data, url); result = await app.wait_for_result(task_id); print(result.result)
        var ns = $"tasks-{Guid.NewGuid():N}"[..20];
        await using var app = Client.NewTaskApp(new TaskAppOptions(Namespace: ns));
        var fetchData = app.Task("fetch_data", async (string url, CancellationToken ct) =>
        {
            await Task.Delay(10, ct);
            return $"fetched {url}";
        });
        var heavyCompute = app.Task("heavy_compute", (int n) => Enumerable.Range(0, n).Sum(i => (long)i * i), new TaskOptions(CpuBound: true));
        await app.StartAsync();

        var fetchId = await app.SubmitAsync(fetchData, "https://api.example.com");
        var computeId = await app.SubmitAsync(heavyCompute, 1_000);
        var fetched = await app.WaitForResultAsync<string>(fetchId, Patience);
        var computed = await app.WaitForResultAsync<long>(computeId, Patience);
        Assert.Equal((FloTaskStatus.Success, "fetched https://api.example.com", "fetch_data"), (fetched.Status, fetched.Result, fetched.TaskName));
        Assert.True(fetched.IsComplete && fetched.IsSuccess);
        Assert.Equal(332_833_500L, computed.Result);
        Assert.Equal(0, computed.Retries);
        var stored = await app.GetResultAsync<long>(computeId);
        Assert.Equal(332_833_500L, stored!.Result);
        Assert.Null(await app.GetResultAsync<long>(ActionLimits.NewRunId()));
    }

    [Fact]
    public async Task AFailingTaskIsRetriedWithItsFixedDelayAndReportsItsError()
    {
        var ns = $"tasks-{Guid.NewGuid():N}"[..20];
        await using var app = Client.NewTaskApp(new TaskAppOptions(Namespace: ns));
        var calls = 0;
        var flaky = app.Task("flaky", (int x) => Interlocked.Increment(ref calls) < 3 ? throw new TimeoutException("upstream slow") : x + 1,
            new TaskOptions(MaxRetries: 3, RetryDelay: TimeSpan.FromMilliseconds(30)));
        var broken = app.Task("broken", (int x) => x > 0 ? throw new InvalidOperationException("nope") : 0,
            new TaskOptions(MaxRetries: 1, RetryDelay: TimeSpan.FromMilliseconds(10)));
        await app.StartAsync();
        var ok = await app.WaitForResultAsync<int>(await app.SubmitAsync(flaky, 41), Patience);
        Assert.Equal((FloTaskStatus.Success, 42, 2), (ok.Status, ok.Result, ok.Retries));
        var failed = await app.WaitForResultAsync<int>(await app.SubmitAsync(broken, 1), Patience);
        Assert.Equal((FloTaskStatus.Failed, "InvalidOperationException: nope", 1), (failed.Status, failed.Error, failed.Retries));
        var definition = await Client.Action.GetActionAsync("flaky", new ActionCallOptions(ns));
        Assert.Equal((3, 30L, 1.0), (definition.MaxRetries, definition.RetryDelayMs, definition.Backoff));
    }

    [Fact]
    public async Task WaitingForATaskThatDoesNotFinishTimesOut()
    {
        var ns = $"tasks-{Guid.NewGuid():N}"[..20];
        await using var app = Client.NewTaskApp(new TaskAppOptions(Namespace: ns, RunWorker: false));
        var never = app.Task("never", (int x) => x);
        await app.StartAsync();
        var id = await app.SubmitAsync(never, 1);
        await Assert.ThrowsAsync<RunWaitTimeoutException>(() => app.WaitForResultAsync<int>(id, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(FloTaskStatus.Pending, (await app.GetResultAsync<int>(id))!.Status);
    }
}
