namespace Flo.Schedules;

/// <summary>Options of a new schedule (the executor's <c>ScheduledTask</c> fields).</summary>
/// <param name="Args">The payload of each run.</param>
/// <param name="Description">Shown in listings and the dashboard.</param>
/// <param name="Priority">Priority of its runs (null: the action's default).</param>
/// <param name="MaxRetries">Retries of its runs (null: the action's).</param>
/// <param name="RetryDelayMs">Retry delay of its runs (null: the action's).</param>
/// <param name="MissedRuns">
/// Due times missed (the cluster was down, or the previous run had not started yet): one run on recovery (default),
/// skipped, or each run late, oldest first.
/// </param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record ScheduleOptions(
    byte[]? Args = null,
    string? Description = null,
    int? Priority = null,
    int? MaxRetries = null,
    long? RetryDelayMs = null,
    MissedRuns MissedRuns = MissedRuns.RunOnce,
    string? Namespace = null);

/// <summary>Options of calls that only take a namespace.</summary>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record ScheduleCallOptions(string? Namespace = null);
