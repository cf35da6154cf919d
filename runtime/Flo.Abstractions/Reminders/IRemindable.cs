namespace Flo;

/// <summary>
/// A grain that receives reminders: durable, cluster-wide timers that activate the grain when they fire (Orleans'
/// IRemindable). Register them with <see cref="Grain.RegisterOrUpdateReminderAsync(string, TimeSpan, TimeSpan, MissedTickPolicy)"/>.
/// </summary>
[Alias("flo.reminders.remindable")]
public interface IRemindable : IGrain
{
    /// <summary>A tick of the reminder <paramref name="reminderName"/>. Delivery is at least once.</summary>
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>What to do with ticks that fell due while no silo could deliver them (the cluster was down).</summary>
public enum MissedTickPolicy
{
    /// <summary>Deliver one catch-up tick (with <see cref="TickStatus.MissedTicks"/> set), then carry on. The default.</summary>
    FireOnce = 0,
    /// <summary>Deliver nothing for the missed ticks; carry on with the next one.</summary>
    Skip = 1,
}

/// <summary>About one tick.</summary>
[GenerateSerializer]
[Alias("flo.reminders.tick-status")]
public sealed record TickStatus
{
    /// <summary>When the reminder was first due.</summary>
    [Id(0)] public DateTimeOffset FirstTickTime { get; init; }

    /// <summary>The period (zero for a cron reminder).</summary>
    [Id(1)] public TimeSpan Period { get; init; }

    /// <summary>The cron expression, for a cron reminder.</summary>
    [Id(2)] public string? Cron { get; init; }

    /// <summary>When this tick was due.</summary>
    [Id(3)] public DateTimeOffset CurrentTickTime { get; init; }

    /// <summary>Ticks after this one that also fell due before it could be delivered (0 normally).</summary>
    [Id(4)] public int MissedTicks { get; init; }
}

/// <summary>A registered reminder.</summary>
[GenerateSerializer]
[Alias("flo.reminders.info")]
public sealed record ReminderInfo
{
    /// <summary>Its name (unique per grain).</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The period (zero for a cron reminder).</summary>
    [Id(1)] public TimeSpan Period { get; init; }

    /// <summary>The cron expression, for a cron reminder.</summary>
    [Id(2)] public string? Cron { get; init; }

    /// <summary>When it is next due.</summary>
    [Id(3)] public DateTimeOffset NextDue { get; init; }

    /// <summary>Missed-tick policy.</summary>
    [Id(4)] public MissedTickPolicy Policy { get; init; }
}

/// <summary>The silo service behind the grain's reminder methods.</summary>
public interface IReminderRegistry
{
    /// <summary>Registers or replaces a period reminder of a grain.</summary>
    Task RegisterAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period, MissedTickPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Registers or replaces a cron reminder of a grain (5 fields, or 6 with seconds; UTC unless a time zone is given).</summary>
    Task RegisterCronAsync(GrainId grainId, string name, string cron, TimeZoneInfo? timeZone, MissedTickPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Removes a reminder; false when it did not exist.</summary>
    Task<bool> UnregisterAsync(GrainId grainId, string name, CancellationToken cancellationToken = default);

    /// <summary>The grain's reminders.</summary>
    Task<IReadOnlyList<ReminderInfo>> ListAsync(GrainId grainId, CancellationToken cancellationToken = default);
}
