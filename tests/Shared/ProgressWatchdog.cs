using System.Diagnostics;

namespace Flo.Tests.Shared;

/// <summary>
/// A fault test's time budget that follows progress instead of a fixed deadline: the test reports each unit of progress
/// (an acknowledged write, an ack, a delivery) with <see cref="Advance"/>, and its waits fail only when nothing has moved
/// for <see cref="StallLimit"/>. A slow machine makes the run longer, not red; a run that really stalls stops early, with
/// the counters and whatever <c>diagnostics</c> reports in the failure message.
/// </summary>
/// <remarks>Shared by the fault tests of several test projects (linked, not copied).</remarks>
public sealed class ProgressWatchdog : IAsyncDisposable
{
    private readonly string what;
    private readonly Func<Task<string>>? diagnostics;
    private readonly Action<string>? log;
    private readonly CancellationTokenSource stopped = new();
    private readonly CancellationTokenSource stalled = new();
    private readonly TaskCompletionSource<string> stalledReport = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch running = Stopwatch.StartNew();
    private readonly Task monitor;
    private long count;

    /// <param name="what">What progress is (for messages): "acknowledged puts".</param>
    /// <param name="stallLimit">How long nothing may move before the run counts as stalled.</param>
    /// <param name="diagnostics">What to report when it stalls (partition stats, counters...); bounded to 15 s.</param>
    /// <param name="log">Where progress and the stall report are written as the run goes (the test output).</param>
    public ProgressWatchdog(string what, TimeSpan stallLimit, Func<Task<string>>? diagnostics = null, Action<string>? log = null)
    {
        this.what = what;
        this.diagnostics = diagnostics;
        this.log = log;
        StallLimit = stallLimit;
        monitor = Task.Run(MonitorAsync);
    }

    /// <summary>How long nothing may move before the run counts as stalled.</summary>
    public TimeSpan StallLimit { get; }

    /// <summary>Progress so far.</summary>
    public long Count => Interlocked.Read(ref count);

    /// <summary>Cancelled when the run stalls: load loops stop on it.</summary>
    public CancellationToken Stalled => stalled.Token;

    /// <summary>Whether the run stalled.</summary>
    public bool HasStalled => stalled.IsCancellationRequested;

    /// <summary>Records progress.</summary>
    public void Advance(long n = 1) => Interlocked.Add(ref count, n);

    /// <summary>Waits for <paramref name="task"/>; fails the test if the run stalls first.</summary>
    public async Task WaitAsync(Task task, string waitingFor)
    {
        var stall = stalledReport.Task;
        if (await Task.WhenAny(task, stall).ConfigureAwait(false) == stall)
        {
            Assert.Fail($"No progress ({what}) for {StallLimit.TotalSeconds:0} s while waiting for {waitingFor}. {await stall}");
        }
        await task.ConfigureAwait(false);
    }

    /// <summary>Waits for <paramref name="task"/>; fails the test if the run stalls first.</summary>
    public async Task<T> WaitAsync<T>(Task<T> task, string waitingFor)
    {
        await WaitAsync((Task)task, waitingFor).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked every 50 ms); fails the test if the run stalls first.</summary>
    public Task UntilAsync(Func<bool> condition, string waitingFor) => WaitAsync(PollAsync(condition), waitingFor);

    /// <summary>Fails the test if the run stalled (for the end of a test whose loops stopped on <see cref="Stalled"/>).</summary>
    public async Task AssertNotStalledAsync()
    {
        if (HasStalled)
        {
            Assert.Fail($"No progress ({what}) for {StallLimit.TotalSeconds:0} s. {await stalledReport.Task}");
        }
    }

    private async Task PollAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(50, stalled.Token).ConfigureAwait(false);
        }
    }

    private async Task MonitorAsync()
    {
        var last = -1L;
        var idle = Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        try
        {
            while (!stopped.IsCancellationRequested)
            {
                await Task.Delay(250, stopped.Token).ConfigureAwait(false);
                var now = Count;
                if (now != last)
                {
                    last = now;
                    idle.Restart();
                }
                if (running.Elapsed - lastLog >= TimeSpan.FromSeconds(5))
                {
                    lastLog = running.Elapsed;
                    log?.Invoke($"[{running.Elapsed.TotalSeconds:0.0} s] {now} {what} (idle {idle.Elapsed.TotalSeconds:0.0} s)");
                }
                if (idle.Elapsed >= StallLimit)
                {
                    var report = $"{now} {what} after {running.Elapsed.TotalSeconds:0.0} s, none in the last {idle.Elapsed.TotalSeconds:0.0} s.";
                    if (diagnostics is not null)
                    {
                        try
                        {
                            report += " " + await diagnostics().WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
                        }
                        catch (Exception e)
                        {
                            report += $" (diagnostics failed: {e.GetType().Name}: {e.Message})";
                        }
                    }
                    log?.Invoke("STALLED: " + report);
                    stalled.Cancel();
                    stalledReport.TrySetResult(report);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopped.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        stopped.Cancel();
        await monitor.ConfigureAwait(false);
        stopped.Dispose();
        stalled.Dispose();
    }
}
