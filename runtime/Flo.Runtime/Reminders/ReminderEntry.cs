namespace Flo.Runtime.Reminders;

/// <summary>One reminder row. Times are Unix milliseconds.</summary>
public sealed record ReminderEntry
{
    /// <summary>The grain.</summary>
    public required GrainId GrainId { get; init; }

    /// <summary>Name, unique per grain.</summary>
    public required string Name { get; init; }

    /// <summary>When the first tick was due.</summary>
    public long StartAtMs { get; init; }

    /// <summary>Period; 0 for a cron reminder.</summary>
    public long PeriodMs { get; init; }

    /// <summary>Cron expression, or null.</summary>
    public string? Cron { get; init; }

    /// <summary>Time zone id for the cron expression; null for UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Missed-tick policy.</summary>
    public MissedTickPolicy Policy { get; init; }

    /// <summary>When the next tick is due.</summary>
    public long NextDueMs { get; init; }

    /// <summary>Row version for conditional updates (set by the table).</summary>
    public long Etag { get; init; }

    /// <summary>The grain's uniform hash, stored so silos can select the ranges they own.</summary>
    public uint GrainHash => GrainId.GetUniformHashCode();
}
