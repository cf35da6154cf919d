using Flo.Queues;

namespace Flo.Grains.Queues;

/// <summary>
/// Long polls: consumers waiting for a message wait in a first-come, first-served line without holding the turn; a
/// message made visible goes to the waiter at the head, leased before the waiter is woken, so it reaches exactly one
/// consumer. Watchers (<see cref="WaitForVisible"/>) only learn that something became visible.
/// </summary>
public sealed partial class QueuePartitionGrain
{
    /// <inheritdoc/>
    public async Task<bool> WaitForVisible(int blockMs, CancellationToken cancellationToken)
    {
        EnsureUsable();
        Advance(Now);
        if (visible.Count > 0 || blockMs <= 0)
        {
            return visible.Count > 0;
        }
        var watcher = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        visibilityWatchers.Add(watcher);
        using (var wait = WaitCancellation.Link(cancellationToken, lifetime))
        {
            await Task.WhenAny(watcher.Task, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, MaxGrainWaitMs)), time, wait.Token));
        }
        visibilityWatchers.Remove(watcher);
        return visible.Count > 0;
    }

    private void ServeWaiters(long now)
    {
        while (visible.Count > 0 && waiters.First is { } head)
        {
            waiters.RemoveFirst();
            head.Value.Served.TrySetResult(Take(head.Value.Count, head.Value.LeaseMs, now));
        }
        if (visible.Count > 0 && visibilityWatchers.Count > 0)
        {
            foreach (var watcher in visibilityWatchers)
            {
                watcher.TrySetResult(true);
            }
            visibilityWatchers.Clear();
        }
    }

    private void ReleaseWaiters()
    {
        foreach (var waiter in waiters)
        {
            waiter.Served.TrySetResult([]);
        }
        waiters.Clear();
    }

    /// <summary>A consumer waiting in a long poll.</summary>
    private sealed class Waiter(int count, long leaseMs)
    {
        public int Count { get; } = count;

        public long LeaseMs { get; } = leaseMs;

        public TaskCompletionSource<QueueMessage[]> Served { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
