namespace Flo;

/// <summary>Options of an in-memory grain timer.</summary>
/// <param name="DueTime">Delay before the first tick.</param>
/// <param name="Period">Interval between ticks; <see cref="Timeout.InfiniteTimeSpan"/> for a single tick.</param>
public readonly record struct GrainTimerCreationOptions(TimeSpan DueTime, TimeSpan Period)
{
    /// <summary>Whether ticks may interleave with other requests (default false: a tick is a turn like any request).</summary>
    public bool Interleave { get; init; }

    /// <summary>Whether a tick counts as activity that keeps the activation from being collected (default false).</summary>
    public bool KeepAlive { get; init; }
}

/// <summary>An in-memory timer bound to one activation; disposed automatically on deactivation.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes the due time and period.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
