namespace Flo.Grains;

/// <summary>
/// Group commit for a grain that keeps its data in memory and stores changes as they happen (queue and stream
/// partitions, consumer groups). After a failed write memory is ahead of storage, so the grain must not store anything
/// more from it — a later write could persist half of a change — and it refuses work until it is deactivated and the
/// next activation reloads what was stored.
/// </summary>
/// <param name="write">Stores the state and the staged records (captures them before its first await).</param>
/// <param name="what">Names the grain in errors (<c>Queue ns/name partition 0</c>).</param>
/// <param name="onBroken">Called once, at the first failed write: log, release waiters, deactivate.</param>
internal sealed class GuardedCommit(Func<Task> write, string what, Action<Exception> onBroken)
{
    private readonly GroupCommit commits = new(write);

    /// <summary>Whether a write failed in this activation.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Whether a write is in flight.</summary>
    public bool IsWriting => commits.IsWriting;

    /// <summary>Throws when a write failed: nothing may be changed from this activation's memory any more.</summary>
    public void EnsureUsable()
    {
        if (IsBroken)
        {
            throw new InvalidOperationException($"{what} lost a storage write and is reloading; nothing was changed, try again.");
        }
    }

    /// <summary>Completes when the changes made so far are durable; a failure breaks the grain.</summary>
    public async Task CommitAsync()
    {
        try
        {
            await commits.CommitAsync();
        }
        catch (Exception e)
        {
            if (!IsBroken)
            {
                IsBroken = true;
                onBroken(e);
            }
            throw;
        }
    }

    /// <summary>Stores changes nobody waits for (timeline moves, retention); a failure breaks the grain, as it must.</summary>
    public async Task CommitInBackgroundAsync()
    {
        try
        {
            await CommitAsync();
        }
        catch
        {
            // Reported through onBroken; the grain is deactivating.
        }
    }
}
