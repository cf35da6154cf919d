using System.Diagnostics;

namespace Flo.Bench;

/// <summary>Result of one closed-loop load run.</summary>
/// <remarks>
/// <see cref="CpuMicrosPerOp"/> is the CPU time of the bench process per operation: for in-process Flo runs that is the
/// client and the silo together, for a peer only its client. Steadier than ops/s on a shared machine, so it is the
/// number to compare when changing Flo itself. <see cref="AllocatedBytesPerOp"/> is counted the same way (managed heap);
/// with Server GC the process-wide count is now and then off (NaN when it went backwards), so trust it over a few runs.
/// </remarks>
public sealed record LoadResult(string Name, int Concurrency, long Operations, TimeSpan Elapsed, double P50Micros, double P99Micros, double CpuMicrosPerOp = 0, double AllocatedBytesPerOp = 0)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;

    public override string ToString()
        => $"{Name,-44} c={Concurrency,-4} {PerSecond,12:N0} ops/s   p50 {P50Micros,9:N1} us   p99 {P99Micros,9:N1} us   cpu {CpuMicrosPerOp,6:N1} us/op   alloc {(double.IsNaN(AllocatedBytesPerOp) ? "n/a" : AllocatedBytesPerOp.ToString("N0")),7} B/op";
}

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each run one operation after another for the duration; every
/// operation's latency is recorded (no sampling) and percentiles are computed over all of them.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(string name, int concurrency, TimeSpan duration, Func<int, long, Task> operation, TimeSpan? warmup = null)
    {
        var warm = warmup ?? TimeSpan.FromSeconds(1);
        await RunCoreAsync(concurrency, warm, operation, record: false);
        GC.Collect();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (ops, latencies, elapsed) = await RunCoreAsync(concurrency, duration, operation, record: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Array.Sort(latencies);
        double ToMicros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
        var p50 = latencies.Length == 0 ? 0 : ToMicros(latencies[(int)(latencies.Length * 0.50)]);
        var p99 = latencies.Length == 0 ? 0 : ToMicros(latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))]);
        return new LoadResult(name, concurrency, ops, elapsed, p50, p99, ops == 0 ? 0 : cpu.TotalMicroseconds / ops, ops == 0 || allocated < 0 ? double.NaN : (double)allocated / ops);
    }

    private static async Task<(long, long[], TimeSpan)> RunCoreAsync(int concurrency, TimeSpan duration, Func<int, long, Task> operation, bool record)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perWorker = new List<long>[concurrency];
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var list = perWorker[w] = new List<long>(record ? 100_000 : 0);
            long i = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var t0 = Stopwatch.GetTimestamp();
                await operation(w, i++).ConfigureAwait(false);
                if (record)
                {
                    list.Add(Stopwatch.GetTimestamp() - t0);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = perWorker.SelectMany(l => l).ToArray();
        return (all.LongLength, all, elapsed);
    }
}
