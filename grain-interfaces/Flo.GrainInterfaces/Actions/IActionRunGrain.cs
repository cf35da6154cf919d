namespace Flo.Actions;

/// <summary>
/// One run (grain key <see cref="ActionLimits.RunKey"/>): its payload, status, attempts, result and errors. The
/// authority on the run: every transition is stored before it is acknowledged, and a report on an attempt that is no
/// longer current is refused (<see cref="StaleAttemptException"/>).
/// </summary>
[Alias("flo.action.run")]
public interface IActionRunGrain : IGrainWithStringKey
{
    /// <summary>Stores a new run (by its dispatch partition). Repeating the same creation is a no-op.</summary>
    Task Create(RunCreation creation);

    /// <summary>Starts the run's next attempt on a worker if it is due for one; otherwise says where the run is.</summary>
    Task<RunAnswer> Start(string workerId);

    /// <summary>The attempt returned a result: the run is completed.</summary>
    Task Complete(int attempt, byte[] result);

    /// <summary>The attempt failed: retried after the backoff delay, or failed when no retry is left.</summary>
    Task Fail(int attempt, string error);

    /// <summary>The attempt's lease ended (timeout, lost worker, handed back): retried, or finished; returns where the run is.</summary>
    Task<RunAnswer> LoseLease(int attempt, LeaseLossReason reason);

    /// <summary>Cancels the run unless it finished; returns whether this call cancelled it.</summary>
    Task<bool> Cancel();

    /// <summary>The run, or null when there is none.</summary>
    [ReadOnly]
    Task<ActionRun?> Get();

    /// <summary>The run once it finished, or as it is when <paramref name="blockMs"/> passed; null when there is none.</summary>
    [AlwaysInterleave]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<ActionRun?> Wait(int blockMs, CancellationToken cancellationToken = default);

    /// <summary>Removes the run (its retention ended).</summary>
    Task Purge();
}
