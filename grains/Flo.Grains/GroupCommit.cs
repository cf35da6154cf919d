namespace Flo.Grains;

/// <summary>
/// Group commit for a reentrant grain: callers that changed the state in memory call <see cref="CommitAsync"/> and
/// complete once a write that includes their change is durable. One write is in flight at a time; changes made while it
/// runs are stored together by the next one, so a burst of N operations costs about two writes, not N.
/// </summary>
/// <remarks>
/// Used only from the grain's own turns (one thread at a time), so it needs no locks. The write delegate must capture
/// the state synchronously before its first await (as Orleans' <c>IPersistentState.WriteStateAsync</c> does):
/// that is what makes a change made before <see cref="CommitAsync"/> part of the write it joins.
/// </remarks>
internal sealed class GroupCommit(Func<Task> write)
{
    private Task? writing;
    private TaskCompletionSource? next;

    /// <summary>Whether a write is in flight.</summary>
    public bool IsWriting => writing is { IsCompleted: false };

    /// <summary>Completes when the changes made so far are durable; fails with the error of the write that carried them.</summary>
    public Task CommitAsync()
    {
        if (writing is null || writing.IsCompleted)
        {
            // (A write can complete synchronously, e.g. with the memory provider, leaving a finished task here.)
            writing = WriteNowAsync();
            return writing;
        }
        // A write is in flight with an older snapshot: join the next one.
        next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return next.Task;
    }

    private async Task WriteNowAsync()
    {
        try
        {
            await write();
        }
        finally
        {
            writing = null;
            if (next is { } waiters)
            {
                next = null;
                writing = WriteForAsync(waiters);
            }
        }
    }

    private async Task WriteForAsync(TaskCompletionSource waiters)
    {
        try
        {
            await WriteNowAsync();
            waiters.TrySetResult();
        }
        catch (Exception e)
        {
            waiters.TrySetException(e);
        }
    }
}
