using System.Diagnostics;
using Hangfire;

namespace Flo.Bench.Jobs;

/// <summary>The jobs benchmark's handler for Hangfire: does nothing but say when it started.</summary>
public static class HangfireNoOpJob
{
    /// <summary>
    /// Returns its start time as the job's result, as the Celery task does: Hangfire stores it in the Succeeded state,
    /// and <see cref="ResultSignallingStateChanger"/> hands it to the caller once that state is committed.
    /// </summary>
    /// <remarks>No automatic retries: a failure must reach the caller at once, not as a retry scheduled seconds later.</remarks>
    [AutomaticRetry(Attempts = 0)]
    public static long Run() => Stopwatch.GetTimestamp();
}
