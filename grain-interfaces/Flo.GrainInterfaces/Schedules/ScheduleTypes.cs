namespace Flo.Schedules;

/// <summary>How a schedule's due times are given. Values are stored: frozen.</summary>
public enum ScheduleKind
{
    /// <summary>A cron expression in a time zone.</summary>
    Cron = 0,
    /// <summary>Every interval, the first one interval after creation.</summary>
    Interval = 1,
    /// <summary>Once, at a time; disabled after it fired.</summary>
    Once = 2,
}

/// <summary>What happens to due times missed while the cluster was down. Values are stored: frozen.</summary>
public enum MissedRuns
{
    /// <summary>They collapse into one run on recovery (default).</summary>
    RunOnce = 0,
    /// <summary>They are skipped; the schedule carries on from the next due time.</summary>
    Skip = 1,

    /// <summary>
    /// Each runs, oldest first, late: the schedule catches up instead of dropping any, one run at a time (the next
    /// is invoked once the previous one started). A long downtime of a frequent schedule is then that many runs.
    /// </summary>
    RunEach = 2,
}

/// <summary>What a schedule is created with.</summary>
[GenerateSerializer]
[Alias("flo.schedule.definition")]
public sealed record ScheduleDefinition
{
    /// <summary>The action each due time invokes.</summary>
    [Id(0)] public string Action { get; init; } = "";

    /// <summary>Cron, interval or once.</summary>
    [Id(1)] public ScheduleKind Kind { get; init; }

    /// <summary>Cron: the expression (5 fields, 6 with seconds first, or a macro such as <c>@hourly</c>).</summary>
    [Id(2)] public string? Cron { get; init; }

    /// <summary>Cron: an IANA time zone (null: UTC).</summary>
    [Id(3)] public string? TimeZone { get; init; }

    /// <summary>Interval: its length in milliseconds.</summary>
    [Id(4)] public long IntervalMs { get; init; }

    /// <summary>Once: when (Unix ms).</summary>
    [Id(5)] public long AtMs { get; init; }

    /// <summary>The payload of each run (the schedule's args).</summary>
    [Id(6)] public byte[] Args { get; init; } = [];

    /// <summary>Free text for listings (not part of the schedule's identity).</summary>
    [Id(7)] public string? Description { get; init; }

    /// <summary>Priority of its runs (null: the action's default).</summary>
    [Id(8)] public int? Priority { get; init; }

    /// <summary>Retries of its runs (null: the action's).</summary>
    [Id(9)] public int? MaxRetries { get; init; }

    /// <summary>Retry delay of its runs (null: the action's).</summary>
    [Id(10)] public long? RetryDelayMs { get; init; }

    /// <summary>Due times missed while the cluster was down: one run on recovery, or skipped.</summary>
    [Id(11)] public MissedRuns MissedRuns { get; init; }
}

/// <summary>A schedule as clients see it (the executor's <c>ScheduledTask</c>).</summary>
[GenerateSerializer]
[Alias("flo.schedule.info")]
public sealed record ScheduleInfo
{
    /// <summary>The schedule's id (a hash of action, timing, zone and args).</summary>
    [Id(0)] public string Id { get; init; } = "";

    /// <summary>Its namespace.</summary>
    [Id(1)] public string Namespace { get; init; } = "";

    /// <summary>What it was created with (a repeat create with other settings keeps these).</summary>
    [Id(2)] public ScheduleDefinition Definition { get; init; } = new();

    /// <summary>Whether it fires.</summary>
    [Id(3)] public bool Enabled { get; init; }

    /// <summary>The due time of the last run (Unix ms; 0 before the first).</summary>
    [Id(4)] public long LastRunAtMs { get; init; }

    /// <summary>The last run's id.</summary>
    [Id(5)] public string? LastRunId { get; init; }

    /// <summary>The next due time (Unix ms; 0 when disabled or done).</summary>
    [Id(6)] public long NextRunAtMs { get; init; }

    /// <summary>When it was created (Unix ms).</summary>
    [Id(7)] public long CreatedAtMs { get; init; }

    /// <summary>When it last changed (Unix ms).</summary>
    [Id(8)] public long UpdatedAtMs { get; init; }

    /// <summary>Runs it started.</summary>
    [Id(9)] public long Fired { get; init; }

    /// <summary>Due times missed and not run (skipped or collapsed).</summary>
    [Id(10)] public long Missed { get; init; }
}

/// <summary>Counts of a namespace's schedules.</summary>
public sealed record ScheduleStats(int Total, int Enabled, long Fired, long Missed);
