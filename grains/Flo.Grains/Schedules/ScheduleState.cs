using Flo.Schedules;

namespace Flo.Grains.Schedules;

/// <summary>A schedule's stored state.</summary>
[GenerateSerializer]
[Alias("flo.schedule.state")]
public sealed class ScheduleState
{
    [Id(0)] public ScheduleDefinition Definition { get; set; } = new();

    [Id(1)] public bool Enabled { get; set; }

    [Id(2)] public long CreatedAtMs { get; set; }

    [Id(3)] public long UpdatedAtMs { get; set; }

    /// <summary>The latest due time handled (fired, collapsed or skipped), or when the schedule was (re-)enabled.</summary>
    [Id(4)] public long AnchorMs { get; set; }

    /// <summary>
    /// The next due time, stored before its run is invoked (0: none): with the previous fire's outcome, or on its own
    /// when it was not known then. The invoke's idempotency key is this due time: after a crash the same run is asked
    /// for again, never a second one.
    /// </summary>
    [Id(5)] public long PendingMs { get; set; }

    [Id(6)] public long LastRunAtMs { get; set; }

    [Id(7)] public string? LastRunId { get; set; }

    [Id(8)] public long Fired { get; set; }

    [Id(9)] public long Missed { get; set; }

    /// <summary>A once schedule that fired.</summary>
    [Id(10)] public bool Done { get; set; }
}
