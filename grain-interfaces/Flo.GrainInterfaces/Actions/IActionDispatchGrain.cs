namespace Flo.Actions;

/// <summary>
/// One dispatch partition of an action (grain key <see cref="ActionLimits.DispatchKey"/>): the runs of that action
/// that hash to it, ordered for workers (priority, then age; delays and retry waits), with the leases workers hold,
/// idempotency keys, and a summary of every run kept for listings until its retention ends. The run grains are the
/// authority on each run; the partition offers them to workers and takes back attempts whose lease ended.
/// </summary>
[Alias("flo.action.dispatch")]
public interface IActionDispatchGrain : IGrainWithStringKey
{
    /// <summary>Creates a run (stored with its run grain before this returns) and returns its id; a known idempotency key returns the first run's id.</summary>
    Task<string> Invoke(RunInvocation invocation);

    /// <summary>
    /// The run an invoke of <paramref name="payload"/> with this idempotency key would answer with while the partition
    /// keeps the key (until the run's retention ends), or null (unknown key, or taken with another payload). Creates
    /// nothing: a schedule that cannot tell whether its stored due time was invoked before a silo loss asks this.
    /// </summary>
    [Idempotent]
    Task<string?> RunOfKey(string idempotencyKey, byte[] payload);

    /// <summary>
    /// Whether the run has left the line of runs that never started (a worker took it, it finished, or the partition
    /// does not know it), waiting up to <paramref name="blockMs"/> for that; false while it still waits for its first
    /// start. A schedule asks this before it adds another run behind its previous one.
    /// </summary>
    [Idempotent]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<bool> WaitForFirstStart(string runId, int blockMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts up to <paramref name="count"/> runs on <paramref name="workerId"/> (each attempt recorded by its run before
    /// this returns). When none is ready, waits up to <paramref name="blockMs"/> in line with other workers. The worker
    /// keeps each lease by heartbeating within <paramref name="leaseMs"/>.
    /// </summary>
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<RunLease[]> Lease(string workerId, int count, long leaseMs, int blockMs, CancellationToken cancellationToken = default);

    /// <summary>Extends the worker's leases on these runs; returns those it no longer holds (cancelled, timed out, taken back).</summary>
    Task<string[]> Heartbeat(string workerId, string[] runIds, long leaseMs);

    /// <summary>A stopping worker hands runs back: pending again at once, the attempt not counted as a retry.</summary>
    Task Release(string workerId, string[] runIds);

    /// <summary>A run changed (finished, retrying, cancelled) outside a lease or lease loss: the partition follows it.</summary>
    Task Settle(string runId, RunAnswer answer);

    /// <summary>Up to <paramref name="limit"/> runs matching the filter, newest first, older than the cursor (submitted time, run id).</summary>
    [Idempotent]
    Task<RunSummary[]> List(RunFilter filter, long beforeSubmittedMs, string? beforeRunId, int limit);

    /// <summary>This partition's run counts.</summary>
    [Idempotent]
    Task<ActionStats> Stats();

    /// <summary>Stores the action's definition (pushed by <see cref="IActionGrain.Register"/>).</summary>
    Task Configure(ActionDefinition definition);

    /// <summary>Waits until a run is ready or <paramref name="blockMs"/> passed, leasing nothing (multi-partition polls).</summary>
    [Idempotent]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<bool> WaitForReady(int blockMs, CancellationToken cancellationToken = default);
}
