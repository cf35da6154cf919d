namespace Flo.Runtime.Reminders;

/// <summary>Reminders. Section <c>Cluster:Reminders</c>.</summary>
public sealed class ReminderOptions
{
    /// <summary>How often each silo looks for due reminders it owns (ticks are up to this late). Default 1 s.</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Shortest period a reminder may have (reminders are for coarse, durable schedules). Default 1 min, as Orleans.</summary>
    public TimeSpan MinimumPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Ticks delivered at once by one silo. Default 64.</summary>
    public int MaxConcurrentTicks { get; set; } = 64;
}
