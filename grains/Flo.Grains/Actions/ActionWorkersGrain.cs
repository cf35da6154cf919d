using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// The workers of a namespace. Heartbeats only touch memory; joins and leaves are stored, so after a silo loss the
/// registry still lists its workers (not alive until they heartbeat again). A worker silent for an hour is forgotten.
/// </summary>
[GrainType("action-workers")]
public sealed class ActionWorkersGrain([PersistentState("workers", FloStorage.Name)] IPersistentState<ActionWorkersState> state, TimeProvider time) : Grain, IActionWorkersGrain
{
    private static readonly long ForgetAfterMs = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    /// <summary>A worker is shown alive while its last heartbeat is at most this old (three default intervals).</summary>
    public static readonly long AliveWithinMs = 6_000;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public async Task Heartbeat(WorkerInfo worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ActionLimits.ValidateWorkerId(worker.WorkerId);
        var isNew = !state.State.Workers.ContainsKey(worker.WorkerId);
        state.State.Workers[worker.WorkerId] = worker with { LastHeartbeatMs = Now, Alive = true };
        if (isNew)
        {
            Forget(Now);
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public async Task Leave(string workerId)
    {
        if (state.State.Workers.Remove(workerId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public Task<WorkerInfo[]> List()
    {
        var now = Now;
        return Task.FromResult(state.State.Workers.Values
            .Select(w => w with { Alive = now - w.LastHeartbeatMs <= AliveWithinMs })
            .OrderBy(w => w.WorkerId, StringComparer.Ordinal)
            .ToArray());
    }

    private void Forget(long now)
    {
        foreach (var (id, worker) in state.State.Workers.ToList())
        {
            if (now - worker.LastHeartbeatMs > ForgetAfterMs)
            {
                state.State.Workers.Remove(id);
            }
        }
    }
}

/// <summary>The registry's stored state.</summary>
[GenerateSerializer]
[Alias("flo.action.workers-state")]
public sealed class ActionWorkersState
{
    /// <summary>Workers by id (heartbeat times as of the last stored join or leave).</summary>
    [Id(0)] public Dictionary<string, WorkerInfo> Workers { get; set; } = new(StringComparer.Ordinal);
}
