using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// Waits for a run's first start: a schedule keeps at most one run in the line of runs that never started, and asks
/// here (a long poll, no write) before it adds the next.
/// </summary>
public sealed partial class ActionDispatchGrain
{
    private readonly Dictionary<long, TaskCompletionSource> firstStartWatchers = [];

    /// <inheritdoc/>
    public async Task<bool> WaitForFirstStart(string runId, int blockMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ActionLimits.ValidateRange(blockMs, 0, MaxBlockMs, "BlockMs");
        Advance(Now);
        if (!byRun.TryGetValue(runId, out var local) || !WaitsForFirstStart(entries[local]))
        {
            return true;
        }
        if (blockMs == 0)
        {
            return false;
        }
        if (!firstStartWatchers.TryGetValue(local, out var watcher))
        {
            watcher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            firstStartWatchers.Add(local, watcher);
        }
        using (var wait = WaitCancellation.Link(cancellationToken, lifetime))
        {
            await Task.WhenAny(watcher.Task, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, GrainWaits.MaxWaitMs)), time, wait.Token));
        }
        return !(byRun.TryGetValue(runId, out local) && WaitsForFirstStart(entries[local]));
    }

    /// <summary>Never offered to a worker yet (a run whose start failed goes back to pending with its attempt counted).</summary>
    private static bool WaitsForFirstStart(DispatchEntry entry) => entry.Status == RunStatus.Pending && entry.Attempt == 0;

    /// <summary>Wakes whoever waits for this entry's first start; called wherever an entry leaves that line.</summary>
    private void FirstStartSettled(long local)
    {
        if (firstStartWatchers.Remove(local, out var watcher))
        {
            watcher.TrySetResult();
        }
    }
}
