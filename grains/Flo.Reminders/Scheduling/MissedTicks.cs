namespace Flo.Reminders;

/// <summary>What a schedule does with occurrences that fell due while nothing could run them (silo down, grain busy).</summary>
public enum MissedTicks
{
    /// <summary>Fire once on recovery for all the occurrences missed, then carry on with the schedule. The default.</summary>
    FireOnce = 0,

    /// <summary>Drop occurrences found later than <see cref="ReminderSchedule.Tolerance"/>; carry on with the next one.</summary>
    Skip = 1,

    /// <summary>
    /// Fire every occurrence missed, oldest first, one per check: the schedule catches up instead of dropping any (as
    /// Quartz's "ignore misfires"). After a long downtime of a dense schedule that is many fires in a row.
    /// </summary>
    FireEach = 2,
}
