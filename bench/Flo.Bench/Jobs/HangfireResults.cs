using System.Collections.Concurrent;

namespace Flo.Bench.Jobs;

/// <summary>
/// Where callers wait for Hangfire job results: one <see cref="TaskCompletionSource{T}"/> per job id, completed by
/// <see cref="ResultSignallingStateChanger"/> in this process.
/// </summary>
/// <remarks>
/// Hangfire has no result notification of its own (its API would have the caller poll the job's state), and the server
/// runs in the bench process, so the fastest honest wait is an in-process signal from the server's state change.
/// Both sides create the entry on first touch because either can come first: the worker may finish the job before
/// <c>BackgroundJobClient.Enqueue</c> has returned its id to the caller.
/// </remarks>
public sealed class HangfireResults
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> pending = new();

    /// <summary>The job succeeded (committed); <paramref name="started"/> is its result, the handler's start timestamp.</summary>
    public void Succeeded(string jobId, long started) => Entry(jobId).TrySetResult(started);

    public void Failed(string jobId, Exception error) => Entry(jobId).TrySetException(error);

    /// <summary>Waits for the job's result; the timeout only keeps a lost job from hanging the bench.</summary>
    public async Task<long> WaitAsync(string jobId, TimeSpan timeout)
    {
        try
        {
            return await Entry(jobId).Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        finally
        {
            pending.TryRemove(jobId, out _);
        }
    }

    // Continuations run asynchronously so the completing Hangfire worker thread goes straight back to fetching jobs.
    private TaskCompletionSource<long> Entry(string jobId)
        => pending.GetOrAdd(jobId, static _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
}
