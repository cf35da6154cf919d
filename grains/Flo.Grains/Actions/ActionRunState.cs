using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>A run's stored state: everything about it, rewritten at every transition (a run is small and short-lived).</summary>
[GenerateSerializer]
[Alias("flo.action.run-state")]
public sealed class ActionRunState
{
    [Id(0)] public string Action { get; set; } = "";

    /// <summary>The dispatch partition that holds the run.</summary>
    [Id(1)] public int Partition { get; set; }

    [Id(2)] public byte[] Payload { get; set; } = [];

    [Id(3)] public int Priority { get; set; }

    [Id(4)] public string? IdempotencyKey { get; set; }

    [Id(5)] public long SubmittedAtMs { get; set; }

    /// <summary>The action's settings when the run was invoked: the run keeps them.</summary>
    [Id(6)] public ActionDefinition Definition { get; set; } = new();

    [Id(7)] public RunStatus Status { get; set; }

    [Id(8)] public List<RunAttempt> Attempts { get; set; } = [];

    [Id(9)] public byte[]? Result { get; set; }

    [Id(10)] public string? Error { get; set; }

    [Id(11)] public long NextAttemptAtMs { get; set; }

    [Id(12)] public long StartedAtMs { get; set; }

    [Id(13)] public long FinishedAtMs { get; set; }

    /// <summary>Attempts that count against the retries (failed or timed out; not handed back or cancelled).</summary>
    public int FailedAttempts => Attempts.Count(a => a.Outcome is AttemptOutcome.Failed or AttemptOutcome.TimedOut);
}
