namespace Flo.Grains.Kv;

/// <summary>
/// Callers that must not answer before a version is stored although they wrote nothing themselves (a read or a failed
/// condition decided on versions still being written). Used from the grain's turns only.
/// </summary>
internal sealed class DurableWaiters
{
    private readonly List<(long Version, TaskCompletionSource Done)> waiting = [];

    /// <summary>Completes once <see cref="Release"/> covers <paramref name="version"/>; fails if the write carrying it fails.</summary>
    public Task WaitAsync(long version)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.Add((version, done));
        return done.Task;
    }

    /// <summary>Versions up to <paramref name="stored"/> are stored.</summary>
    public void Release(long stored)
    {
        for (var i = waiting.Count - 1; i >= 0; i--)
        {
            if (waiting[i].Version <= stored)
            {
                waiting[i].Done.TrySetResult();
                waiting.RemoveAt(i);
            }
        }
    }

    /// <summary>The write that would have stored them failed: every waiter fails with it.</summary>
    public void FailAll(Exception error)
    {
        foreach (var (_, done) in waiting)
        {
            done.TrySetException(error);
        }
        waiting.Clear();
    }
}
