using Flo.Storage;

namespace Flo.Bench.Dataflow;

/// <summary>Settings of the dataflow comparison, from the command line.</summary>
/// <param name="Postgres">PostgreSQL server for the durable runs (null: memory only).</param>
/// <param name="Generations">Generations of each in-memory run (and of its TPL Dataflow floor).</param>
/// <param name="DurableGenerations">Generations of each PostgreSQL run (and of its floor).</param>
/// <param name="Graphs">Graphs to run: <c>pipeline</c>, <c>cycle</c>.</param>
/// <param name="Storages">Flo's storages: <c>memory</c>, <c>postgres</c>.</param>
/// <param name="Nodes">Where Flo runs the node code: <c>worker</c> (a flow worker of this process), <c>silo</c> (the silo itself).</param>
public sealed record DataflowSettings(string? Postgres, int Generations, int DurableGenerations, int Rounds, string[] Graphs, string[] Storages, string[] Nodes);

/// <summary>
/// Flows against their floor: a 10-node pipeline and a 2-node cycle, in Flo (one silo in this process, the node code
/// on a worker of this process; memory storage, and PostgreSQL: durable) and in <c>System.Threading.Tasks.Dataflow</c>
/// in one process (not durable). Node runs per second and per-generation latency; the two alternate over the rounds
/// (TPL, Flo, TPL, Flo, ...) because this machine's speed drifts, and the summary gives the medians and the median of
/// the per-round ratios Flo / TPL.
/// </summary>
public static class DataflowBench
{
    public static async Task RunAsync(DataflowSettings s)
    {
        var summary = new List<string>();
        foreach (var storage in s.Storages.Select(n => Enum.Parse<FloStorageProvider>(n, ignoreCase: true)))
        {
            if (storage == FloStorageProvider.Postgres && s.Postgres is null)
            {
                Console.WriteLine("-- postgres: skipped (no --postgres)");
                continue;
            }
            await using var flo = await FloDataflowRunner.CreateAsync(storage, s.Postgres);
            // Warm-up: the silo's grains and the worker's code paths, not measured.
            await flo.CycleAsync(50);
            await flo.PipelineAsync(20);
            if (s.Nodes.Any(n => n.Equals("silo", StringComparison.OrdinalIgnoreCase)))
            {
                await flo.CycleAsync(50, inSilo: true);
                await flo.PipelineAsync(20, inSilo: true);
            }
            var generations = storage == FloStorageProvider.Memory ? s.Generations : s.DurableGenerations;
            foreach (var graph in s.Graphs)
            foreach (var inSilo in s.Nodes.Select(n => n.Equals("silo", StringComparison.OrdinalIgnoreCase)).Distinct())
            {
                var where = inSilo ? "silo" : "worker";
                Console.WriteLine($"-- {graph}, {generations:N0} generations, flo on {storage.ToString().ToLowerInvariant()}, nodes on the {where}: {s.Rounds} rounds");
                var floRuns = new List<DataflowResult>();
                var tplRuns = new List<DataflowResult>();
                var ratios = new List<double>();
                for (var round = 0; round < Math.Max(1, s.Rounds); round++)
                {
                    var tpl = graph == "pipeline" ? await TplGraphs.PipelineAsync(generations) : await TplGraphs.CycleAsync(generations);
                    Console.WriteLine(tpl);
                    var f = graph == "pipeline" ? await flo.PipelineAsync(generations, inSilo) : await flo.CycleAsync(generations, inSilo);
                    Console.WriteLine(f);
                    tplRuns.Add(tpl);
                    floRuns.Add(f);
                    ratios.Add(f.NodeRunsPerSecond / tpl.NodeRunsPerSecond);
                }
                var median = floRuns.OrderBy(r => r.NodeRunsPerSecond).ElementAt(floRuns.Count / 2);
                var floor = tplRuns.OrderBy(r => r.NodeRunsPerSecond).ElementAt(tplRuns.Count / 2);
                var line = $"{graph,-8} {storage.ToString().ToLowerInvariant(),-8} {where,-6} {generations,7:N0} gens: flo {median.NodeRunsPerSecond,8:N0} node runs/s, {median.MsPerGeneration,7:N2} ms/gen, generation p50 {median.P50Ms,8:N2} ms p99 {median.P99Ms,8:N2} ms"
                    + $" | tpl {floor.NodeRunsPerSecond,12:N0} node runs/s, p50 {floor.P50Ms,7:N4} ms p99 {floor.P99Ms,7:N4} ms | flo/tpl median {Rounds.Median(ratios):0.00000}x (rounds: {string.Join(", ", ratios.Select(r => r.ToString("0.00000")))})";
                Console.WriteLine("  => " + line);
                summary.Add(line);
            }
        }
        Console.WriteLine("== summary");
        summary.ForEach(Console.WriteLine);
    }
}
