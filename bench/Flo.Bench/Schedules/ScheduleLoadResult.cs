namespace Flo.Bench.Schedules;

/// <summary>
/// One round of one scheduler: <see cref="Schedules"/> interval schedules firing every <see cref="IntervalMs"/>, measured
/// over a window of <see cref="Seconds"/>.
/// </summary>
/// <remarks>
/// <para><b>Runs/s</b>: handlers that started inside the window, per second; keeping up means N per interval.
/// <b>Lateness</b>: handler start minus the due time the run serves, over the runs started inside the window (negative:
/// early). A scheduler that falls behind shows it here as lateness that grows through the window.</para>
/// <para>Due times are checked per schedule over the window: each one due in it should have exactly one run.
/// <b>Duplicated</b>: runs beyond the first for one (schedule, due time), anywhere in the round. <b>Missed</b>: a due
/// time with no run although a later due time of the same schedule ran (skipped or collapsed). <b>Behind</b>: due times
/// after a schedule's last run, unserved when the drain ended (a backlog, not yet a loss). <b>Off grid</b>: runs for
/// a time that is not one of the schedule's due times.</para>
/// <para><b>CPU</b> per schedule per second, in microseconds, over the window: the bench process (scheduler, worker,
/// handlers), the PostgreSQL server, and the machine's busy share of its 2 cores (other work included). <b>Per run</b>:
/// the transactions committed and rows written in the scheduler's database over the window, per run started.</para>
/// <para><b>Tail</b>: the runs more than <see cref="LateAfterMs"/> late, and into how many bursts they fall (runs whose
/// handlers started within <see cref="LateAfterMs"/> of each other): a few bursts mean the whole process stalled (a
/// garbage collection, the cores busy elsewhere), many mean runs late one by one. With the process's garbage
/// collections and their pauses over the window.</para>
/// </remarks>
public sealed record ScheduleLoadResult(
    string Name, int Schedules, long IntervalMs, double Seconds, long Runs,
    double LatenessP50Ms, double LatenessP99Ms, double LatenessMaxMs,
    long Missed, long Duplicated, long Behind, long OffGrid,
    double ProcessCpuUs, double PostgresCpuUs, double MachineBusy, double CommitsPerRun, double RowWritesPerRun,
    int LateRuns, int LateBursts, int Collections, double GcPauseMs, int Gen1, int Gen2, string LastGc)
{
    /// <summary>A run later than this counts in the tail.</summary>
    public const double LateAfterMs = 10;

    /// <summary>Runs started per second in the window.</summary>
    public double PerSecond => Runs / Seconds;

    /// <summary>What keeping up means: every schedule once per interval.</summary>
    public double DuePerSecond => Schedules * 1000.0 / IntervalMs;

    /// <summary>Computes a round's result from its log.</summary>
    /// <param name="firstDueMs">Each schedule's first due time; the rest follow every <paramref name="intervalMs"/>.</param>
    /// <param name="windowStartMs">The window's start (Unix ms); it ends <paramref name="seconds"/> later.</param>
    public static ScheduleLoadResult From(string name, long[] firstDueMs, long intervalMs, long windowStartMs, double seconds,
        IReadOnlyCollection<Fire> fires, CpuSample before, CpuSample after, DatabaseCounters database)
    {
        var n = firstDueMs.Length;
        var windowEndMs = windowStartMs + (long)(seconds * 1000);
        var lateness = new List<double>();
        var lateStarts = new List<double>();
        var seen = new Dictionary<long, int>[n];
        var lastDue = new long[n];
        Array.Fill(lastDue, long.MinValue);
        long duplicated = 0, offGrid = 0;
        foreach (var f in fires)
        {
            if (f.DueMs < firstDueMs[f.Schedule])
            {
                // A straggler of the previous round (the schedule was re-anchored since).
                continue;
            }
            if (f.StartedMs >= windowStartMs && f.StartedMs < windowEndMs)
            {
                lateness.Add(f.StartedMs - f.DueMs);
                if (f.StartedMs - f.DueMs > LateAfterMs)
                {
                    lateStarts.Add(f.StartedMs);
                }
            }
            if ((f.DueMs - firstDueMs[f.Schedule]) % intervalMs != 0)
            {
                offGrid++;
                continue;
            }
            var counts = seen[f.Schedule] ??= [];
            counts[f.DueMs] = counts.GetValueOrDefault(f.DueMs) + 1;
            if (counts[f.DueMs] > 1)
            {
                duplicated++;
            }
            lastDue[f.Schedule] = Math.Max(lastDue[f.Schedule], f.DueMs);
        }
        long missed = 0, behind = 0;
        for (var s = 0; s < n; s++)
        {
            // The schedule's due times in [windowStart, windowEnd).
            var k = Math.Max(0, (windowStartMs - firstDueMs[s] + intervalMs - 1) / intervalMs);
            for (var due = firstDueMs[s] + k * intervalMs; due < windowEndMs; due += intervalMs)
            {
                if (seen[s]?.ContainsKey(due) == true)
                {
                    continue;
                }
                if (due < lastDue[s])
                {
                    missed++;
                }
                else
                {
                    behind++;
                }
            }
        }
        lateness.Sort();
        var perScheduleSecond = 1e6 / (n * seconds);
        var machineTotal = (after.MachineTotal - before.MachineTotal).TotalSeconds;
        return new ScheduleLoadResult(name, n, intervalMs, seconds, lateness.Count,
            Percentile(lateness, 0.50), Percentile(lateness, 0.99), lateness.Count == 0 ? 0 : lateness[^1],
            missed, duplicated, behind, offGrid,
            (after.Process - before.Process).TotalSeconds * perScheduleSecond,
            (after.Postgres - before.Postgres).TotalSeconds * perScheduleSecond,
            machineTotal > 0 ? (after.MachineBusy - before.MachineBusy).TotalSeconds / machineTotal : 0,
            PerRun(database.Commits, lateness.Count), PerRun(database.RowWrites, lateness.Count),
            lateStarts.Count, Bursts(lateStarts), after.Collections - before.Collections, (after.GcPause - before.GcPause).TotalMilliseconds,
            after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, LastEphemeral());
    }

    private static string LastEphemeral()
    {
        var gc = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        return $"last ephemeral: gen{gc.Generation}, paused {gc.PauseDurations[0].TotalMilliseconds:N1} ms, promoted {gc.PromotedBytes / 1e6:N1} MB, heap {gc.HeapSizeBytes / 1e6:N0} MB";
    }

    private static int Bursts(List<double> starts)
    {
        starts.Sort();
        var bursts = 0;
        for (var i = 0; i < starts.Count; i++)
        {
            if (i == 0 || starts[i] - starts[i - 1] > LateAfterMs)
            {
                bursts++;
            }
        }
        return bursts;
    }

    private static double PerRun(long total, int runs) => runs == 0 ? 0 : (double)total / runs;

    /// <summary>The same rank as the other benches (element n*q of the sorted samples).</summary>
    private static double Percentile(List<double> sorted, double q)
        => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];

    public override string ToString()
        => $"{Name,-34} n={Schedules,-6} {PerSecond,8:N0} runs/s (due {DuePerSecond:N0}/s)   lateness p50 {LatenessP50Ms,8:N1} ms  p99 {LatenessP99Ms,8:N1} ms  max {LatenessMaxMs,8:N1} ms   "
            + $"missed {Missed} dup {Duplicated} behind {Behind} off-grid {OffGrid}   cpu/schedule/s: process {ProcessCpuUs:N1} us, postgres {PostgresCpuUs:N1} us, machine busy {MachineBusy:P0}   "
            + $"per run: {CommitsPerRun:N1} transactions, {RowWritesPerRun:N1} row writes   "
            + $"tail: {LateRuns} runs > {LateAfterMs} ms late in {LateBursts} bursts; {Collections} GCs ({Gen1} gen1, {Gen2} gen2) pausing {GcPauseMs:N0} ms; {LastGc}";
}
