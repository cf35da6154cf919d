namespace Flo.Bench.Schedules;

/// <summary>Settings of one schedules run, from the command line.</summary>
/// <param name="Sizes">Schedule counts to run, each a comparison of its own.</param>
/// <param name="Runners">Which sides run: <c>flo</c>, <c>quartz</c>.</param>
/// <param name="FloPartitions">Dispatch partitions of Flo's action.</param>
/// <param name="FloWorkers">Flo workers in the bench process.</param>
/// <param name="FloConcurrency">Each Flo worker's concurrency (runs held at once).</param>
/// <param name="QuartzThreads">Quartz's thread pool (jobs at once; also caps a batch).</param>
/// <param name="QuartzBatch">Quartz's most triggers per acquisition.</param>
/// <param name="FloMissedRuns">What Flo's schedules do with due times they could not fire on time.</param>
public sealed record SchedulesSettings(
    string Postgres, int[] Sizes, TimeSpan Interval, TimeSpan Duration, TimeSpan Warmup, int Rounds, string[] Runners,
    int FloPartitions, int FloWorkers, int FloConcurrency, int QuartzThreads, int QuartzBatch, Flo.Schedules.MissedRuns FloMissedRuns = Flo.Schedules.MissedRuns.RunOnce);

/// <summary>
/// Schedules: N interval schedules of a no-op on one node, Flo (one silo, PostgreSQL) against Quartz.NET (ADO.NET job
/// store on the same PostgreSQL server, clustered). Per size, the two alternate over the rounds (Quartz, Flo, Quartz,
/// Flo, ...; never at the same time: Flo's schedules are disabled while Quartz runs, and Quartz is shut down while Flo
/// runs) because this machine's speed drifts; the summary gives each side's median round and the medians of the
/// per-round ratios.
/// </summary>
public static class SchedulesBench
{
    /// <summary>The drain ends when no run of the window's due times arrived for this long...</summary>
    public static readonly TimeSpan DrainQuiet = TimeSpan.FromSeconds(2);

    /// <summary>...or after this long: what is still unserved then is reported as behind.</summary>
    public static readonly TimeSpan DrainCap = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(SchedulesSettings s, CancellationToken cancellationToken = default)
    {
        var cpu = await CpuMeter.CreateAsync(s.Postgres, cancellationToken);
        foreach (var n in s.Sizes)
        {
            Console.WriteLine($"-- {n:N0} schedules every {s.Interval.TotalMilliseconds:N0} ms: {s.Rounds} rounds of {s.Duration.TotalSeconds:N0} s after a {s.Warmup.TotalSeconds:N0} s warm-up");
            await using var flo = s.Runners.Contains("flo")
                ? await FloSchedulesRunner.CreateAsync(s.Postgres, n, s.Interval, s.FloPartitions, s.FloWorkers, s.FloConcurrency, s.FloMissedRuns, cancellationToken)
                : null;
            var floRuns = new List<ScheduleLoadResult>();
            var quartzRuns = new List<ScheduleLoadResult>();
            for (var round = 0; round < Math.Max(1, s.Rounds); round++)
            {
                if (s.Runners.Contains("quartz"))
                {
                    var q = await QuartzPeer.RunAsync(s.Postgres, n, s.Interval, s.Duration, s.Warmup, s.QuartzThreads, s.QuartzBatch, cpu, cancellationToken);
                    Console.WriteLine(q);
                    quartzRuns.Add(q);
                }
                if (flo is not null)
                {
                    // Printed by the runner before it disables the schedules.
                    var f = await flo.RunAsync(s.Duration, s.Warmup, cancellationToken);
                    floRuns.Add(f);
                }
            }
            Summarize(n, floRuns, quartzRuns);
        }
    }

    /// <summary>Waits until <paramref name="unixMs"/>: the warm-up counts from when every schedule had its first due time.</summary>
    public static Task UntilAsync(long unixMs, CancellationToken cancellationToken)
        => Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, unixMs - FireLog.NowMs)), cancellationToken);

    /// <summary>
    /// Waits <paramref name="warmup"/>, then measures over <paramref name="duration"/>; returns the window's start (Unix
    /// ms), the CPU samples at both ends, and what the scheduler's database (<paramref name="database"/>) did meanwhile.
    /// </summary>
    public static async Task<(long WindowStartMs, CpuSample Before, CpuSample After, DatabaseCounters Database)> MeasureWindowAsync(
        CpuMeter cpu, string database, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        await Task.Delay(warmup, cancellationToken);
        var counters = await DatabaseCounters.TakeAsync(database, cancellationToken);
        var before = cpu.Take();
        var start = (long)FireLog.NowMs;
        await Task.Delay(TimeSpan.FromMilliseconds(start + duration.TotalMilliseconds - FireLog.NowMs), cancellationToken);
        var after = cpu.Take();
        return (start, before, after, await DatabaseCounters.TakeAsync(database, cancellationToken) - counters);
    }

    private static void Summarize(int n, List<ScheduleLoadResult> flo, List<ScheduleLoadResult> quartz)
    {
        foreach (var runs in new[] { quartz, flo }.Where(r => r.Count > 0))
        {
            var m = runs.OrderBy(r => r.LatenessP99Ms).ElementAt(runs.Count / 2);
            Console.WriteLine($"  => {m.Name} n={n}: median runs/s {Rounds.Median(runs.Select(r => r.PerSecond)):N0} of {m.DuePerSecond:N0} due, "
                + $"lateness p50 {Rounds.Median(runs.Select(r => r.LatenessP50Ms)):N1} ms, p99 {Rounds.Median(runs.Select(r => r.LatenessP99Ms)):N1} ms; "
                + $"over all rounds missed {runs.Sum(r => r.Missed)}, duplicated {runs.Sum(r => r.Duplicated)}, behind {runs.Sum(r => r.Behind)}, off grid {runs.Sum(r => r.OffGrid)}; "
                + $"cpu/schedule/s {Rounds.Median(runs.Select(r => r.ProcessCpuUs)):N1} us process + {Rounds.Median(runs.Select(r => r.PostgresCpuUs)):N1} us postgres; "
                + $"per run {Rounds.Median(runs.Select(r => r.CommitsPerRun)):N1} transactions, {Rounds.Median(runs.Select(r => r.RowWritesPerRun)):N1} row writes");
        }
        if (flo.Count == 0 || quartz.Count == 0)
        {
            return;
        }
        // Per-round ratios, each Flo round against the Quartz round before it.
        var pairs = flo.Zip(quartz).ToList();
        var speed = pairs.Select(p => p.First.PerSecond / p.Second.PerSecond).ToList();
        var p99 = pairs.Select(p => p.First.LatenessP99Ms / p.Second.LatenessP99Ms).ToList();
        var cpu = pairs.Select(p => (p.First.ProcessCpuUs + p.First.PostgresCpuUs) / (p.Second.ProcessCpuUs + p.Second.PostgresCpuUs)).ToList();
        Console.WriteLine($"     flo/quartz: runs/s median ratio {Rounds.Median(speed):0.00}x (rounds: {string.Join(", ", speed.Select(x => x.ToString("0.00")))}); "
            + $"lateness p99 {Rounds.Median(p99):0.00}x (rounds: {string.Join(", ", p99.Select(x => x.ToString("0.00")))}); "
            + $"cpu (process + postgres) per schedule {Rounds.Median(cpu):0.00}x");
    }
}
