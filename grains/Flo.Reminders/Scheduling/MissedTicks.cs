namespace Flo.Reminders;

/// <summary>What a schedule does with occurrences that fell due while nothing could run them (silo down, grain busy).</summary>
public enum MissedTicks
{
    /// <summary>Fire once on recovery for all the occurrences missed, then carry on with the schedule. The default.</summary>
    FireOnce = 0,

    /// <summary>Drop occurrences found later than <see cref="ReminderSchedule.Tolerance"/>; carry on with the next one.</summary>
    Skip = 1,
}
