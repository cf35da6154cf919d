namespace Flo.Actions;

/// <summary>An invoke as it reaches a dispatch partition.</summary>
[GenerateSerializer]
[Alias("flo.action.invocation")]
public sealed record RunInvocation
{
    /// <summary>What the handler gets.</summary>
    [Id(0)] public byte[] Payload { get; init; } = [];

    /// <summary>Priority (higher first); null for the action's default.</summary>
    [Id(1)] public int? Priority { get; init; }

    /// <summary>A repeat with this key within the retention window returns the first run's id.</summary>
    [Id(2)] public string? IdempotencyKey { get; init; }

    /// <summary>Not given to a worker before this long.</summary>
    [Id(3)] public long DelayMs { get; init; }

    /// <summary>Retries of this run; null for the action's (schedules set their own).</summary>
    [Id(4)] public int? MaxRetries { get; init; }

    /// <summary>Retry delay of this run; null for the action's.</summary>
    [Id(5)] public long? RetryDelayMs { get; init; }
}

/// <summary>What a run grain is created with: the invocation plus the settings of its action at that moment.</summary>
[GenerateSerializer]
[Alias("flo.action.run-creation")]
public sealed record RunCreation
{
    [Id(0)] public string Action { get; init; } = "";

    [Id(1)] public int Partition { get; init; }

    [Id(2)] public byte[] Payload { get; init; } = [];

    [Id(3)] public int Priority { get; init; }

    [Id(4)] public string? IdempotencyKey { get; init; }

    [Id(5)] public long SubmittedAtMs { get; init; }

    [Id(6)] public long VisibleAtMs { get; init; }

    [Id(7)] public ActionDefinition Definition { get; init; } = new();
}
