namespace Flo.Actions;

/// <summary>
/// A registered action: how its runs are retried, timed out, prioritised and kept. Held by the action's grain
/// (<see cref="IActionGrain"/>) and copied to its dispatch partitions; a run keeps the settings it was invoked with.
/// </summary>
[GenerateSerializer]
[Alias("flo.action.definition")]
public sealed record ActionDefinition
{
    /// <summary>The action's name.</summary>
    [Id(0)] public string Name { get; init; } = "";

    /// <summary>Longest one attempt may run before it is timed out (start to result): default 30 s.</summary>
    [Id(1)] public long TimeoutMs { get; init; } = 30_000;

    /// <summary>Extra attempts after the first fails or times out: default 3 (up to 4 attempts).</summary>
    [Id(2)] public int MaxRetries { get; init; } = 3;

    /// <summary>Delay before the first retry: default 1,000 ms.</summary>
    [Id(3)] public long RetryDelayMs { get; init; } = 1_000;

    /// <summary>Each further retry waits this many times longer (<c>delay × backoff^(attempt-1)</c>); 1 for a fixed delay. Default 2.</summary>
    [Id(4)] public double Backoff { get; init; } = 2;

    /// <summary>Priority of a run invoked without one (higher first): default 10.</summary>
    [Id(5)] public int Priority { get; init; } = 10;

    /// <summary>How long a finished run (and its idempotency key) is kept: default 24 h.</summary>
    [Id(6)] public long RetentionMs { get; init; } = 24L * 3600 * 1000;

    /// <summary>Dispatch partitions (1 to 16, fixed at the first registration): priority order holds per partition.</summary>
    [Id(7)] public int Partitions { get; init; } = 1;

    /// <summary>When the action was first registered (Unix ms).</summary>
    [Id(8)] public long RegisteredAtMs { get; init; }

    /// <summary>When the definition last changed (Unix ms).</summary>
    [Id(9)] public long UpdatedAtMs { get; init; }

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public long RetryDelayFor(int retry)
        => (long)Math.Min(ActionLimits.MaxDelayMs, RetryDelayMs * Math.Pow(Backoff, Math.Max(0, retry - 1)));
}
