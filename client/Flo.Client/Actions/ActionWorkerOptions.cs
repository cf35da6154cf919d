namespace Flo.Actions;

/// <summary>How a worker runs (seed: <c>client.new_action_worker(concurrency=5)</c>).</summary>
/// <param name="Concurrency">I/O handlers run at once (default 5).</param>
/// <param name="CpuConcurrency">CPU-bound handlers run at once, on the thread pool with their own limit (0: one per core).</param>
/// <param name="WorkerId">This worker's id (default: host name, process id and a random suffix).</param>
/// <param name="HeartbeatInterval">How often held runs are heartbeated (default 2 s).</param>
/// <param name="LeaseTimeout">A run whose worker has not heartbeated for this long is timed out and retried (default 10 s).</param>
/// <param name="StopTimeout">How long a graceful stop waits for running handlers before handing their runs back (default 30 s).</param>
/// <param name="PollBlockMs">Longest one long poll for runs waits (default 10 s).</param>
/// <param name="Namespace">Namespace of the worker's actions; null for the client's default.</param>
public sealed record ActionWorkerOptions(
    int Concurrency = 5,
    int CpuConcurrency = 0,
    string? WorkerId = null,
    TimeSpan? HeartbeatInterval = null,
    TimeSpan? LeaseTimeout = null,
    TimeSpan? StopTimeout = null,
    int PollBlockMs = GrainWaits.MaxWaitMs,
    string? Namespace = null)
{
    internal TimeSpan Heartbeat => HeartbeatInterval ?? TimeSpan.FromSeconds(2);

    internal TimeSpan Lease => LeaseTimeout ?? TimeSpan.FromSeconds(10);

    internal TimeSpan Stop => StopTimeout ?? TimeSpan.FromSeconds(30);

    internal int Cpu => CpuConcurrency > 0 ? CpuConcurrency : Environment.ProcessorCount;

    internal void Validate()
    {
        if (Concurrency < 1 || Concurrency > 10_000)
        {
            throw new ActionArgumentException($"Concurrency must be between 1 and 10,000; got {Concurrency}.");
        }
        if (CpuConcurrency < 0 || CpuConcurrency > 1_024)
        {
            throw new ActionArgumentException($"CpuConcurrency must be between 0 (one per core) and 1,024; got {CpuConcurrency}.");
        }
        if (WorkerId is not null)
        {
            ActionLimits.ValidateWorkerId(WorkerId);
        }
        if (Heartbeat <= TimeSpan.Zero || Lease.TotalMilliseconds < 100 || Lease.TotalMilliseconds > ActionLimits.MaxLeaseMs || Lease <= Heartbeat)
        {
            throw new ActionArgumentException($"LeaseTimeout ({Lease}) must be longer than HeartbeatInterval ({Heartbeat}) and between 100 ms and {TimeSpan.FromMilliseconds(ActionLimits.MaxLeaseMs)}.");
        }
        if (Stop < TimeSpan.Zero)
        {
            throw new ActionArgumentException($"StopTimeout must not be negative; got {Stop}.");
        }
        ActionLimits.ValidateRange(PollBlockMs, 0, GrainWaits.MaxWaitMs, "PollBlockMs");
    }
}

/// <summary>How one action is handled by a worker.</summary>
/// <param name="CpuBound">Run on the worker's CPU lane (thread pool, core-sized limit) so it does not hold I/O slots.</param>
/// <param name="Register">Register (or update) the action with these options when the worker starts; null registers it with defaults only if it is not registered yet.</param>
public sealed record ActionHandlerOptions(bool CpuBound = false, ActionRegisterOptions? Register = null);
