namespace Flo.Actions;

/// <summary>How an action's runs are run (seed: <c>ActionRegisterOptions(timeout_ms, max_retries)</c>).</summary>
/// <param name="TimeoutMs">Longest one attempt may run (default 30 s; 1 ms to 24 h).</param>
/// <param name="MaxRetries">Extra attempts after a failure or timeout (default 3; 0 to 100).</param>
/// <param name="RetryDelayMs">Delay before the first retry (default 1 s).</param>
/// <param name="Backoff">Each further retry waits this many times longer (default 2; 1 for a fixed delay).</param>
/// <param name="Priority">Priority of runs invoked without one; higher first (default 10).</param>
/// <param name="RetentionMs">How long finished runs and idempotency keys are kept (default 24 h).</param>
/// <param name="Partitions">Dispatch partitions (default 1; fixed at the first registration). Priority order holds per partition.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record ActionRegisterOptions(
    long TimeoutMs = 30_000,
    int MaxRetries = 3,
    long RetryDelayMs = 1_000,
    double Backoff = 2,
    int Priority = 10,
    long RetentionMs = 24L * 3600 * 1000,
    int Partitions = 1,
    string? Namespace = null)
{
    /// <summary>The definition these options describe for <paramref name="name"/>.</summary>
    public ActionDefinition ToDefinition(string name) => new()
    {
        Name = name,
        TimeoutMs = TimeoutMs,
        MaxRetries = MaxRetries,
        RetryDelayMs = RetryDelayMs,
        Backoff = Backoff,
        Priority = Priority,
        RetentionMs = RetentionMs,
        Partitions = Partitions,
    };
}

/// <summary>Options of an invoke (seed: <c>ActionInvokeOptions(priority, idempotency_key)</c>, plus a delay).</summary>
/// <param name="Priority">Higher runs first; null for the action's default.</param>
/// <param name="IdempotencyKey">A repeat with this key within the action's retention returns the first run's id (a different payload is refused).</param>
/// <param name="DelayMs">Not given to a worker before this long (at most 7 days).</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record ActionInvokeOptions(int? Priority = null, string? IdempotencyKey = null, long DelayMs = 0, string? Namespace = null);

/// <summary>Options of calls that only take a namespace.</summary>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record ActionCallOptions(string? Namespace = null);

/// <summary>Paging of a run listing.</summary>
/// <param name="Limit">Most runs returned (1 to 1,000; default 50).</param>
/// <param name="Cursor">The previous page's <see cref="RunPage.NextCursor"/>; null for the newest runs.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record RunListOptions(int Limit = 50, string? Cursor = null, string? Namespace = null);

/// <summary>What a watch receives.</summary>
/// <param name="Action">Only events of this action (null: all).</param>
/// <param name="RunId">Only events of this run (null: all).</param>
/// <param name="Namespace">Namespace watched; null for the client's default.</param>
public sealed record ActionWatchOptions(string? Action = null, string? RunId = null, string? Namespace = null);
