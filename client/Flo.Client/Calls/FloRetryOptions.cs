namespace Flo;

/// <summary>
/// How <see cref="FloClient"/> resends calls that are safe to resend (see <c>Calls/CallRetryFilter.cs</c> for the rules).
/// Immutable; use <c>with</c>: <c>FloClientOptions.Default with { Retry = FloRetryOptions.Default with { Deadline = TimeSpan.FromSeconds(10) } }</c>.
/// </summary>
public sealed record FloRetryOptions
{
    /// <summary>Defaults: enabled, deadline twice the response timeout, backoff 50 ms doubling to 1 s with jitter.</summary>
    public static FloRetryOptions Default { get; } = new();

    /// <summary>No retries: every failure surfaces at once (still typed: <see cref="CallOutcomeUnknownException"/> when the call may have run).</summary>
    public static FloRetryOptions None { get; } = new() { Enabled = false };

    /// <summary>Whether calls are resent at all. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// How long a call may take in all, its retries included, unless the caller's cancellation token ends it sooner. No
    /// attempt starts after the deadline; an attempt that started runs until its response or its response timeout.
    /// Default null: twice <see cref="FloClientOptions.ResponseTimeout"/> (so a read that timed out once is tried again).
    /// </summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Wait before the first resend. Default 50 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest wait between attempts (the wait doubles from <see cref="InitialBackoff"/> up to this). Default 1 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (Deadline is { } deadline && deadline <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Deadline), deadline, "The retry deadline must be positive.");
        }
        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), $"Backoff must be positive and InitialBackoff ({InitialBackoff}) at most MaxBackoff ({MaxBackoff}).");
        }
    }
}
