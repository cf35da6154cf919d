using System.Diagnostics;

namespace Flo.Bench.Jobs;

/// <summary>
/// The closed loop shared by the in-process job runners (Hangfire here, Flo's actions later): <c>concurrency</c> callers
/// each submit one job, wait for its result, and go again, for the duration after a warm-up. Every job is recorded.
/// </summary>
/// <remarks>
/// The invocation returns the <see cref="Stopwatch.GetTimestamp"/> taken by the handler when it started, which is only
/// comparable with the caller's timestamps because the handler runs in this process: an out-of-process peer (Celery)
/// measures itself and reports a <see cref="JobLoadResult"/> of its own.
/// </remarks>
public static class JobLoadRunner
{
    /// <param name="invoke">Submits one job for caller <c>w</c>, awaits its result and returns the handler's start timestamp.</param>
    public static async Task<JobLoadResult> RunAsync(string name, int concurrency, TimeSpan duration, Func<int, Task<long>> invoke, TimeSpan? warmup = null)
    {
        await RunCoreAsync(concurrency, warmup ?? TimeSpan.FromSeconds(1), invoke, record: false);
        var (start, result, elapsed) = await RunCoreAsync(concurrency, duration, invoke, record: true);
        Array.Sort(start);
        Array.Sort(result);
        return new JobLoadResult(name, concurrency, result.LongLength, elapsed,
            Percentile(start, 0.50), Percentile(start, 0.99), Percentile(result, 0.50), Percentile(result, 0.99));
    }

    /// <summary>The same rank as <see cref="LoadRunner"/> (element n*q of the sorted samples), in milliseconds.</summary>
    private static double Percentile(long[] sortedTicks, double q)
        => sortedTicks.Length == 0 ? 0 : sortedTicks[Math.Min(sortedTicks.Length - 1, (int)(sortedTicks.Length * q))] * 1000.0 / Stopwatch.Frequency;

    private static async Task<(long[] Start, long[] Result, TimeSpan Elapsed)> RunCoreAsync(int concurrency, TimeSpan duration, Func<int, Task<long>> invoke, bool record)
    {
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perCaller = new List<(long Start, long Result)>[concurrency];
        var callers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var samples = perCaller[w] = new List<(long, long)>(record ? 10_000 : 0);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var submitted = Stopwatch.GetTimestamp();
                var handlerStarted = await invoke(w).ConfigureAwait(false);
                var done = Stopwatch.GetTimestamp();
                if (record)
                {
                    samples.Add((handlerStarted - submitted, done - submitted));
                }
            }
        })).ToArray();
        await Task.WhenAll(callers);
        // Up to the last result, not the deadline: jobs still in flight at the deadline are counted, so is their time.
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = perCaller.SelectMany(s => s).ToArray();
        return (all.Select(s => s.Start).ToArray(), all.Select(s => s.Result).ToArray(), elapsed);
    }
}
