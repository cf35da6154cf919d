namespace Flo.Actions;

/// <summary>Run events of one namespace in one minute (counted by its event hub, in memory).</summary>
[GenerateSerializer]
[Alias("flo.action.run-throughput")]
public sealed record RunThroughput
{
    /// <summary>Start of the minute (Unix ms).</summary>
    [Id(0)] public long MinuteMs { get; init; }

    /// <summary>Runs invoked.</summary>
    [Id(1)] public long Created { get; init; }

    /// <summary>Attempts started.</summary>
    [Id(2)] public long Started { get; init; }

    /// <summary>Runs completed.</summary>
    [Id(3)] public long Completed { get; init; }

    /// <summary>Runs failed for good.</summary>
    [Id(4)] public long Failed { get; init; }

    /// <summary>Attempts that failed and will be retried.</summary>
    [Id(5)] public long Retrying { get; init; }

    /// <summary>Runs timed out for good.</summary>
    [Id(6)] public long TimedOut { get; init; }

    /// <summary>Runs cancelled.</summary>
    [Id(7)] public long Cancelled { get; init; }
}
