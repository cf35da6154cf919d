namespace Flo.Actions;

/// <summary>One attempt of a run: which worker ran it, when, and how it ended.</summary>
[GenerateSerializer]
[Alias("flo.action.attempt")]
public sealed record RunAttempt
{
    /// <summary>1 for the first attempt.</summary>
    [Id(0)] public int Number { get; init; }

    /// <summary>The worker that ran it.</summary>
    [Id(1)] public string WorkerId { get; init; } = "";

    /// <summary>When it started (Unix ms).</summary>
    [Id(2)] public long StartedAtMs { get; init; }

    /// <summary>When it ended (Unix ms); 0 while running.</summary>
    [Id(3)] public long FinishedAtMs { get; init; }

    /// <summary>How it ended.</summary>
    [Id(4)] public AttemptOutcome Outcome { get; init; }

    /// <summary>Its error (failed, timed out), if any.</summary>
    [Id(5)] public string? Error { get; init; }
}

/// <summary>A run as clients see it (seed: <c>action.status(run_id)</c>).</summary>
[GenerateSerializer]
[Alias("flo.action.run-view")]
public sealed record ActionRun
{
    /// <summary>The run's id.</summary>
    [Id(0)] public string RunId { get; init; } = "";

    /// <summary>Its namespace.</summary>
    [Id(1)] public string Namespace { get; init; } = "";

    /// <summary>The action it invokes.</summary>
    [Id(2)] public string Action { get; init; } = "";

    /// <summary>Where it is.</summary>
    [Id(3)] public RunStatus Status { get; init; }

    /// <summary>Its priority (higher first).</summary>
    [Id(4)] public int Priority { get; init; }

    /// <summary>What it was invoked with.</summary>
    [Id(5)] public byte[] Payload { get; init; } = [];

    /// <summary>The handler's result (completed runs).</summary>
    [Id(6)] public byte[]? Result { get; init; }

    /// <summary>The last error (failed or timed out attempts).</summary>
    [Id(7)] public string? Error { get; init; }

    /// <summary>The idempotency key it was invoked with, if any.</summary>
    [Id(8)] public string? IdempotencyKey { get; init; }

    /// <summary>When it was invoked (Unix ms).</summary>
    [Id(9)] public long SubmittedAtMs { get; init; }

    /// <summary>When its first attempt started (Unix ms; 0 before).</summary>
    [Id(10)] public long StartedAtMs { get; init; }

    /// <summary>When it finished (Unix ms; 0 before).</summary>
    [Id(11)] public long FinishedAtMs { get; init; }

    /// <summary>When it may next be given to a worker (pending with a delay, retrying); 0 when not waiting.</summary>
    [Id(12)] public long NextAttemptAtMs { get; init; }

    /// <summary>Every attempt so far, oldest first.</summary>
    [Id(13)] public IReadOnlyList<RunAttempt> Attempts { get; init; } = [];

    /// <summary>Most attempts it may take (1 + the action's max retries when invoked).</summary>
    [Id(14)] public int MaxAttempts { get; init; }

    /// <summary>The worker running it now (running runs).</summary>
    public string? WorkerId => Status == RunStatus.Running && Attempts.Count > 0 ? Attempts[^1].WorkerId : null;
}

/// <summary>A run in a listing: no payload or result (fetch the run for those).</summary>
[GenerateSerializer]
[Alias("flo.action.run-summary")]
public sealed record RunSummary
{
    [Id(0)] public string RunId { get; init; } = "";

    [Id(1)] public string Action { get; init; } = "";

    [Id(2)] public RunStatus Status { get; init; }

    [Id(3)] public int Priority { get; init; }

    [Id(4)] public int Attempts { get; init; }

    [Id(5)] public long SubmittedAtMs { get; init; }

    [Id(6)] public long StartedAtMs { get; init; }

    [Id(7)] public long FinishedAtMs { get; init; }

    [Id(8)] public string? WorkerId { get; init; }

    [Id(9)] public string? Error { get; init; }
}
