namespace Flo.Actions;

/// <summary>A run handed to a worker: one attempt of it, to run (not before <see cref="NotBeforeMs"/>) and report on.</summary>
[GenerateSerializer]
[Alias("flo.action.lease")]
public sealed record RunLease
{
    /// <summary>The run's id.</summary>
    [Id(0)] public string RunId { get; init; } = "";

    /// <summary>The action to run.</summary>
    [Id(1)] public string Action { get; init; } = "";

    /// <summary>What it was invoked with.</summary>
    [Id(2)] public byte[] Payload { get; init; } = [];

    /// <summary>The attempt's number (1 for the first): reported back with the result, so a late one is refused.</summary>
    [Id(3)] public int Attempt { get; init; }

    /// <summary>Most attempts the run may take.</summary>
    [Id(4)] public int MaxAttempts { get; init; }

    /// <summary>When the attempt times out (Unix ms, the owning silo's clock).</summary>
    [Id(5)] public long DeadlineMs { get; init; }

    /// <summary>The attempt's timeout.</summary>
    [Id(6)] public long TimeoutMs { get; init; }

    /// <summary>The run's priority.</summary>
    [Id(7)] public int Priority { get; init; }

    /// <summary>When the run was invoked (Unix ms).</summary>
    [Id(8)] public long SubmittedAtMs { get; init; }

    /// <summary>
    /// The idempotency key the run was invoked with, or null without one. A scheduled run's is
    /// <c>schedule:{scheduleId}:{dueMs}</c>, which tells its handler the due time it serves.
    /// </summary>
    [Id(9)] public string? IdempotencyKey { get; init; }

    /// <summary>
    /// When the handler may start (Unix ms, the owning silo's clock): a run leased ahead of its due time (at most
    /// <see cref="ActionLimits.LeaseAheadMs"/>) waits on the worker until then. The worker goes by its own clock only
    /// within a few milliseconds of <see cref="StartInMs"/>: early by at most that, never later.
    /// </summary>
    [Id(10)] public long NotBeforeMs { get; init; }

    /// <summary>
    /// How long after it receives the lease the worker starts the handler: <see cref="NotBeforeMs"/> less the silo's time
    /// as the lease leaves its partition (so a worker whose clock differs from the silo's still starts on time); 0 for a
    /// run due now.
    /// </summary>
    [Id(11)] public long StartInMs { get; init; }
}

/// <summary>What a run said when its dispatch partition offered it an attempt (or asked about a lost lease).</summary>
[GenerateSerializer]
[Alias("flo.action.run-answer")]
public sealed record RunAnswer
{
    /// <summary>The attempt started: hand this to the worker.</summary>
    [Id(0)] public RunLease? Lease { get; init; }

    /// <summary>The run's status now.</summary>
    [Id(1)] public RunStatus Status { get; init; }

    /// <summary>The run's latest attempt number.</summary>
    [Id(2)] public int Attempt { get; init; }

    /// <summary>The worker of a running attempt (a partition that reloaded adopts it).</summary>
    [Id(3)] public string? WorkerId { get; init; }

    /// <summary>When a running attempt times out.</summary>
    [Id(4)] public long DeadlineMs { get; init; }

    /// <summary>When a waiting run may next be offered.</summary>
    [Id(5)] public long NextAttemptAtMs { get; init; }

    /// <summary>When a finished run finished.</summary>
    [Id(6)] public long FinishedAtMs { get; init; }

    /// <summary>The run does not exist (its creation failed): the partition forgets it.</summary>
    [Id(7)] public bool Missing { get; init; }

    /// <summary>The last error, for listings.</summary>
    [Id(8)] public string? Error { get; init; }

    /// <summary>When the run's first attempt started.</summary>
    [Id(9)] public long StartedAtMs { get; init; }
}

/// <summary>Why a partition took an attempt back from its worker.</summary>
public enum LeaseLossReason
{
    /// <summary>The attempt ran past the action's timeout.</summary>
    Timeout = 0,
    /// <summary>Its worker stopped heartbeating (killed, cut off).</summary>
    HeartbeatLost = 1,
    /// <summary>Its worker stopped gracefully and handed it back.</summary>
    Released = 2,
}
