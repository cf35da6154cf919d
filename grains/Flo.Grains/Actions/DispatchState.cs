using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// The small part of a dispatch partition stored as its grain state: the action's definition (a copy) and the next
/// local number. Runs are records beside it (<see cref="DispatchEntry"/>), so a write costs the runs that changed.
/// </summary>
[GenerateSerializer]
[Alias("flo.action.dispatch-state")]
public sealed class DispatchState
{
    /// <summary>The action's definition as last pushed by its action grain; null while not registered.</summary>
    [Id(0)] public ActionDefinition? Definition { get; set; }

    /// <summary>The next entry's local number (its record id; also the age order within a priority).</summary>
    [Id(1)] public long NextLocal { get; set; } = 1;
}

/// <summary>One run as its dispatch partition tracks it, stored as a record with its local number as id.</summary>
[GenerateSerializer]
[Alias("flo.action.dispatch-entry")]
public sealed class DispatchEntry
{
    [Id(0)] public long Local { get; set; }

    [Id(1)] public string RunId { get; set; } = "";

    [Id(2)] public int Priority { get; set; }

    /// <summary>The run's status as the partition last learned it.</summary>
    [Id(3)] public RunStatus Status { get; set; }

    /// <summary>Pending or retrying: when it may be offered.</summary>
    [Id(4)] public long VisibleAtMs { get; set; }

    /// <summary>The latest attempt's number.</summary>
    [Id(5)] public int Attempt { get; set; }

    /// <summary>Running: the worker holding it.</summary>
    [Id(6)] public string? WorkerId { get; set; }

    /// <summary>Running: the lease length the worker asked for (its heartbeat timeout).</summary>
    [Id(7)] public long LeaseMs { get; set; }

    /// <summary>Running: when the lease ends without a heartbeat (heartbeats move it in memory only).</summary>
    [Id(8)] public long LeaseExpiresAtMs { get; set; }

    /// <summary>Running: when the attempt times out.</summary>
    [Id(9)] public long DeadlineMs { get; set; }

    [Id(10)] public long SubmittedAtMs { get; set; }

    [Id(11)] public long StartedAtMs { get; set; }

    [Id(12)] public long FinishedAtMs { get; set; }

    /// <summary>Finished: when the run and its idempotency key are removed.</summary>
    [Id(13)] public long ExpiresAtMs { get; set; }

    [Id(14)] public string? IdempotencyKey { get; set; }

    /// <summary>SHA-256 of the payload (first 16 bytes): a repeat of the key with another payload is refused.</summary>
    [Id(15)] public byte[]? PayloadHash { get; set; }

    /// <summary>The last error, for listings.</summary>
    [Id(16)] public string? Error { get; set; }

    /// <summary>When a running entry falls due: its lease end or its deadline, whichever comes first.</summary>
    public long LeaseDueMs => Math.Min(LeaseExpiresAtMs, DeadlineMs == 0 ? long.MaxValue : DeadlineMs);

    /// <summary>The listing's view.</summary>
    public RunSummary ToSummary() => new()
    {
        RunId = RunId,
        Status = Status,
        Priority = Priority,
        Attempts = Attempt,
        SubmittedAtMs = SubmittedAtMs,
        StartedAtMs = StartedAtMs,
        FinishedAtMs = FinishedAtMs,
        WorkerId = Status == RunStatus.Running ? WorkerId : null,
        Error = Error,
    };
}
