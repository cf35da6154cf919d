namespace Flo.Reminders;

/// <summary>
/// What <see cref="ReminderSchedule.Check(DateTimeOffset?, DateTimeOffset)"/> decided on a reminder tick.
/// </summary>
/// <param name="Fire">Whether the grain should do the scheduled work now.</param>
/// <param name="Occurrence">
/// The occurrence being fired (the latest one due; the oldest with <see cref="MissedTicks.FireEach"/>), when
/// <paramref name="Fire"/> is true.
/// </param>
/// <param name="Missed">Occurrences due since the last check that are not fired (coalesced or skipped); at most 10,000 are counted.</param>
/// <param name="LastFiredUtc">
/// What the grain persists and passes to the next check: the latest occurrence handled, fired or skipped (unchanged
/// when nothing was due).
/// </param>
/// <param name="NextDueUtc">
/// The next occurrence after now (with <see cref="MissedTicks.FireEach"/>: after the one fired, so it may be due
/// already), or null when the schedule never fires again.
/// </param>
public readonly record struct ScheduleCheck(
    bool Fire,
    DateTimeOffset? Occurrence,
    int Missed,
    DateTimeOffset LastFiredUtc,
    DateTimeOffset? NextDueUtc)
{
    /// <summary>Whether <see cref="LastFiredUtc"/> moved, i.e. whether the grain has state to write.</summary>
    public bool Changed { get; init; }
}
