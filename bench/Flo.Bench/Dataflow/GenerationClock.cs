using System.Diagnostics;

namespace Flo.Bench.Dataflow;

/// <summary>
/// Times a graph's generations from inside its nodes: the first node's run of generation g starts it, the last node's
/// run of g ends it, so a generation's latency is what it took to cross the graph (for the cycle: a's run to b's
/// result). Node runs are counted as they start. Thread-safe: nodes run on worker threads.
/// </summary>
public sealed class GenerationClock(int generations)
{
    private readonly TimeSpan cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long[] started = new long[generations];
    private readonly long[] ended = new long[generations];
    private long runs;

    /// <summary>Node runs so far.</summary>
    public long Runs => Interlocked.Read(ref runs);

    /// <summary>A node run (any node).</summary>
    public void Ran() => Interlocked.Increment(ref runs);

    /// <summary>The first node runs generation <paramref name="g"/> (generations past the measured ones are ignored).</summary>
    public void Start(long g)
    {
        if (g < started.Length)
        {
            Volatile.Write(ref started[g], Stopwatch.GetTimestamp());
        }
    }

    /// <summary>The last node ran generation <paramref name="g"/>.</summary>
    public void End(long g)
    {
        if (g < ended.Length)
        {
            Volatile.Write(ref ended[g], Stopwatch.GetTimestamp());
        }
    }

    /// <summary>The figures of a finished run that took <paramref name="elapsed"/>.</summary>
    public DataflowResult Result(string name, int nodes, TimeSpan elapsed)
    {
        var latencies = Enumerable.Range(0, started.Length).Where(g => started[g] > 0 && ended[g] >= started[g])
            .Select(g => Stopwatch.GetElapsedTime(started[g], ended[g]).TotalMilliseconds).Order().ToArray();
        double At(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * q))];
        // CPU of this process (silo, worker and client for Flo) per node run: steadier than node runs/s on a shared machine.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
        return new DataflowResult(name, nodes, latencies.Length, Runs, elapsed, At(0.50), At(0.99), Runs == 0 ? 0 : cpu.TotalMicroseconds / Runs);
    }
}

/// <summary>One run of a graph: generations measured, node runs, and per-generation latency.</summary>
public sealed record DataflowResult(string Name, int Nodes, int Generations, long NodeRuns, TimeSpan Elapsed, double P50Ms, double P99Ms, double CpuMicrosPerRun)
{
    public double NodeRunsPerSecond => NodeRuns / Elapsed.TotalSeconds;

    /// <summary>Mean time between generations (the run's time over its generations): what a generation costs in throughput.</summary>
    public double MsPerGeneration => Generations == 0 ? double.NaN : Elapsed.TotalMilliseconds / Generations;

    public override string ToString()
        => $"{Name,-40} {Generations,6:N0} gens {NodeRuns,8:N0} node runs in {Elapsed.TotalSeconds,7:N2} s  {NodeRunsPerSecond,11:N0} node runs/s   {MsPerGeneration,8:N3} ms/gen   generation p50 {P50Ms,9:N3} ms  p99 {P99Ms,9:N3} ms  cpu {CpuMicrosPerRun,8:N1} us/run";
}
