namespace Flo.Bench;

/// <summary>A peer run in a comparison: its name and how to run it once.</summary>
public sealed record Peer(string Name, Func<Task<LoadResult>> Run);

/// <summary>
/// This machine's speed drifts by ±15 % over minutes (2 cores, shared), so every comparison runs <c>rounds</c> times with
/// the peers and Flo alternating (peers, Flo, peers, Flo, ...) and reports, per peer, the median of the per-round ratios.
/// </summary>
public static class Rounds
{
    public static async Task<LoadResult> CompareAsync(string what, int c, int rounds, Func<Task<LoadResult>> flo, params Peer?[] peers)
    {
        var present = peers.Where(p => p is not null).Cast<Peer>().ToArray();
        var ratios = present.ToDictionary(p => p.Name, _ => new List<double>());
        var ours = new List<LoadResult>();
        for (var r = 0; r < Math.Max(1, rounds); r++)
        {
            var round = new Dictionary<string, LoadResult>();
            foreach (var p in present)
            {
                round[p.Name] = await p.Run();
                Console.WriteLine(round[p.Name]);
            }
            var f = await flo();
            Console.WriteLine(f);
            ours.Add(f);
            foreach (var p in present)
            {
                ratios[p.Name].Add(f.PerSecond / round[p.Name].PerSecond);
            }
        }
        var median = ours.OrderBy(o => o.PerSecond).ElementAt(ours.Count / 2);
        Console.WriteLine($"  => flo {what} c={c}: median {median.PerSecond:N0} ops/s (p50 {median.P50Micros:N1} us, p99 {median.P99Micros:N1} us, cpu {median.CpuMicrosPerOp:N1} us/op, alloc {median.AllocatedBytesPerOp:N0} B/op)");
        foreach (var p in present)
        {
            Console.WriteLine($"     vs {p.Name}: median ratio {Median(ratios[p.Name]):0.00}x (rounds: {string.Join(", ", ratios[p.Name].Select(x => x.ToString("0.00")))})");
        }
        return median;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
