namespace Flo.Bench.Jobs;

/// <summary>
/// Result of one closed-loop job run ("invoke -> handler -> result" with a no-op handler).
/// </summary>
/// <remarks>
/// Two latencies, because a job system has two waits a caller cares about: <c>Start</c> is submit -> the handler begins
/// (queueing, dispatch, fetch), <c>Result</c> is submit -> the caller holds the result (adds the completion write and its
/// notification). Milliseconds, not microseconds as in <see cref="LoadResult"/>: durable job systems live in that range.
/// </remarks>
public sealed record JobLoadResult(string Name, int Concurrency, long Jobs, TimeSpan Elapsed, double StartP50Ms, double StartP99Ms, double ResultP50Ms, double ResultP99Ms)
{
    /// <summary>Completed round trips (the caller saw the result) per second.</summary>
    public double PerSecond => Jobs / Elapsed.TotalSeconds;

    public override string ToString()
        => $"{Name,-40} c={Concurrency,-4} {PerSecond,9:N0} jobs/s   start p50 {StartP50Ms,8:N2} ms  p99 {StartP99Ms,8:N2} ms   result p50 {ResultP50Ms,8:N2} ms  p99 {ResultP99Ms,8:N2} ms";
}
