namespace Flo.Bench.Security;

/// <summary>One configuration in a comparison (plain, tokens, TLS, both) and how to measure it once (ops/s).</summary>
public sealed record Variant(string Name, Func<Task<double>> Run);

/// <summary>
/// Alternating rounds over several configurations of the same workload (as <see cref="Rounds"/> does for a peer): each
/// round runs every variant once, each variant's throughput is divided by the first variant's (the baseline) of the same
/// round, and the median ratio per variant is reported, so the machine's drift over minutes cancels out.
/// </summary>
public static class VariantRounds
{
    public static async Task CompareAsync(string what, int rounds, params Variant[] variants)
    {
        var baseline = variants[0];
        var ratios = variants.Skip(1).ToDictionary(v => v.Name, _ => new List<double>());
        var rates = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (var r = 0; r < Math.Max(1, rounds); r++)
        {
            var round = new Dictionary<string, double>();
            foreach (var variant in variants)
            {
                round[variant.Name] = await variant.Run();
                rates[variant.Name].Add(round[variant.Name]);
            }
            foreach (var variant in variants.Skip(1))
            {
                ratios[variant.Name].Add(round[variant.Name] / round[baseline.Name]);
            }
        }
        Console.WriteLine($"  => {what}: {baseline.Name} median {Rounds.Median(rates[baseline.Name]):N0} ops/s");
        foreach (var variant in variants.Skip(1))
        {
            Console.WriteLine($"     {variant.Name}: median {Rounds.Median(rates[variant.Name]):N0} ops/s, {variant.Name}/{baseline.Name} median ratio {Rounds.Median(ratios[variant.Name]):0.00}x (rounds: {string.Join(", ", ratios[variant.Name].Select(x => x.ToString("0.00")))})");
        }
    }
}
