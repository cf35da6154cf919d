namespace Flo.Actions;

/// <summary>A worker as the namespace's registry knows it (from its heartbeats).</summary>
[GenerateSerializer]
[Alias("flo.action.worker")]
public sealed record WorkerInfo
{
    /// <summary>The worker's id (unique per worker process instance).</summary>
    [Id(0)] public string WorkerId { get; init; } = "";

    /// <summary>The actions it runs.</summary>
    [Id(1)] public IReadOnlyList<string> Actions { get; init; } = [];

    /// <summary>How many I/O runs it runs at once.</summary>
    [Id(2)] public int Concurrency { get; init; }

    /// <summary>How many CPU-bound runs it runs at once.</summary>
    [Id(3)] public int CpuConcurrency { get; init; }

    /// <summary>The runs it holds now.</summary>
    [Id(4)] public IReadOnlyList<string> Runs { get; init; } = [];

    /// <summary>Its host name.</summary>
    [Id(5)] public string Host { get; init; } = "";

    /// <summary>When it started (Unix ms).</summary>
    [Id(6)] public long StartedAtMs { get; init; }

    /// <summary>Its last heartbeat (Unix ms, the registry's clock).</summary>
    [Id(7)] public long LastHeartbeatMs { get; init; }

    /// <summary>Runs it finished (completed or failed) since it started.</summary>
    [Id(8)] public long Finished { get; init; }

    /// <summary>Whether it was heard from within three heartbeat intervals.</summary>
    [Id(9)] public bool Alive { get; init; }
}
