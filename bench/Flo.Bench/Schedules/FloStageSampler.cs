using System.Collections.Concurrent;

namespace Flo.Bench.Schedules;

/// <summary>
/// Where a scheduled Flo run's lateness goes, from a sample of runs (one in <see cref="Every"/>): the run's own record
/// says when its partition took the invoke (<c>SubmittedAtMs</c>) and when its attempt was started (<c>StartedAtMs</c>),
/// which splits handler start − due into three stages:
/// <list type="bullet">
/// <item><b>schedule</b>: due → invoke taken (timer, the schedule's pending write, the call to the partition; negative
/// when the run was invoked ahead of its due time);</item>
/// <item><b>dispatch</b>: invoke taken, or the due time if later → attempt started (entry and run written, offered at
/// the due time, leased to the worker);</item>
/// <item><b>start</b>: attempt started → handler (the start write, the lease's way back to the worker, its handler task).</item>
/// </list>
/// </summary>
public sealed class FloStageSampler(FloClient client)
{
    /// <summary>One run in this many is sampled.</summary>
    public const int Every = 20;

    private readonly ConcurrentQueue<(double Schedule, double Dispatch, double Start)> samples = new();
    private readonly ConcurrentBag<Task> pending = [];
    private long seen;

    /// <summary>Samples the run if its turn came; its record is read a moment later (its start is written by then).</summary>
    public void Offer(string runId, long dueMs, double handlerMs)
    {
        if (Interlocked.Increment(ref seen) % Every == 0)
        {
            pending.Add(ReadAsync(runId, dueMs, handlerMs));
        }
    }

    /// <summary>The stages' medians (ms) over the sampled runs, once their reads finished.</summary>
    public async Task<string> SummaryAsync()
    {
        await Task.WhenAll(pending);
        var all = samples.ToList();
        return all.Count == 0 ? "no run sampled"
            : $"p50 / p99 of {all.Count} sampled runs: schedule {Stage(all.Select(s => s.Schedule))}, dispatch {Stage(all.Select(s => s.Dispatch))}, start {Stage(all.Select(s => s.Start))}";
    }

    private static string Stage(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return $"{sorted[sorted.Count / 2]:N1} / {sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))]:N1} ms";
    }

    private async Task ReadAsync(string runId, long dueMs, double handlerMs)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            var run = await client.Action.GetRunAsync(runId);
            samples.Enqueue((run.SubmittedAtMs - dueMs, run.StartedAtMs - Math.Max(run.SubmittedAtMs, dueMs), handlerMs - run.StartedAtMs));
        }
        catch (FloException)
        {
            // Purged already (retention) or the call timed out under load: one sample fewer.
        }
    }
}
