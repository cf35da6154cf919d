namespace Flo.Bench.Jobs;

/// <summary>
/// Jobs "invoke -> handler -> result" with a no-op handler, closed loop, per concurrency: the peers (Hangfire on
/// PostgreSQL, Celery on Redis) and, once it is plugged in, Flo's own runner. Like <see cref="Rounds"/>, the runners
/// alternate over <c>rounds</c> (peers, Flo, peers, Flo, ...) because this machine's speed drifts, and the summary gives
/// each runner's median run and Flo's median per-round ratios against each peer.
/// </summary>
public static class JobsBench
{
    /// <summary>One runner: how to do one run at concurrency c for the duration.</summary>
    private sealed record Runner(string Name, Func<int, TimeSpan, Task<JobLoadResult>> Run);

    /// <param name="flo">Flo's runner, or null to measure the peers alone.</param>
    public static async Task RunAsync(TimeSpan duration, string? postgres, int? redisPort, int[] concurrencies, int rounds, Func<int, TimeSpan, Task<JobLoadResult>>? flo)
    {
        var peers = new List<Runner>();
        if (postgres is not null)
        {
            peers.Add(new Runner("hangfire", (c, d) => HangfirePeer.RunAsync(postgres, c, d)));
        }
        if (redisPort is { } port)
        {
            peers.Add(new Runner("celery", (c, d) => CeleryPeer.RunAsync(port, c, d)));
        }
        if (peers.Count == 0)
        {
            Console.WriteLine("jobs: no peer to run; pass --postgres (Hangfire) and/or --redis-port (Celery).");
        }
        var ours = flo is null ? null : new Runner("flo", flo);
        var runners = ours is null ? peers : [.. peers, ours];
        if (runners.Count == 0)
        {
            return;
        }

        foreach (var c in concurrencies)
        {
            var runs = runners.ToDictionary(r => r.Name, _ => new List<JobLoadResult>());
            for (var round = 0; round < Math.Max(1, rounds); round++)
            {
                foreach (var runner in runners)
                {
                    var result = await runner.Run(c, duration);
                    Console.WriteLine(result);
                    runs[runner.Name].Add(result);
                }
            }
            Summarize(c, runners, runs, ours);
        }
    }

    private static void Summarize(int c, List<Runner> runners, Dictionary<string, List<JobLoadResult>> runs, Runner? ours)
    {
        foreach (var runner in runners)
        {
            var m = runs[runner.Name].OrderBy(r => r.PerSecond).ElementAt(runs[runner.Name].Count / 2);
            Console.WriteLine($"  => {runner.Name} c={c}: median {m.PerSecond:N0} jobs/s (start p50 {m.StartP50Ms:N2} ms, p99 {m.StartP99Ms:N2} ms; result p50 {m.ResultP50Ms:N2} ms, p99 {m.ResultP99Ms:N2} ms)");
        }
        if (ours is null)
        {
            return;
        }
        var flo = runs[ours.Name];
        foreach (var peer in runners.Where(r => r != ours))
        {
            // Per-round ratios, as Rounds.CompareAsync does: each Flo run against the peer run beside it.
            var pairs = flo.Zip(runs[peer.Name]).ToList();
            var speed = pairs.Select(p => p.First.PerSecond / p.Second.PerSecond).ToList();
            var resultP99 = pairs.Select(p => p.First.ResultP99Ms / p.Second.ResultP99Ms).ToList();
            var startP99 = pairs.Select(p => p.First.StartP99Ms / p.Second.StartP99Ms).ToList();
            Console.WriteLine($"     vs {peer.Name}: jobs/s median ratio {Rounds.Median(speed):0.00}x (rounds: {string.Join(", ", speed.Select(x => x.ToString("0.00")))}); "
                + $"p99 flo/{peer.Name}: result {Rounds.Median(resultP99):0.00}x ({Median(flo, r => r.ResultP99Ms):N2} vs {Median(runs[peer.Name], r => r.ResultP99Ms):N2} ms), "
                + $"start {Rounds.Median(startP99):0.00}x ({Median(flo, r => r.StartP99Ms):N2} vs {Median(runs[peer.Name], r => r.StartP99Ms):N2} ms)");
        }
    }

    private static double Median(List<JobLoadResult> runs, Func<JobLoadResult, double> value) => Rounds.Median(runs.Select(value));
}
