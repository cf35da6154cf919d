namespace Flo.Actions;

/// <summary>
/// The workers of a namespace (grain key: the namespace), from their heartbeats. Heartbeats are kept in memory; the
/// set of workers is stored when a worker joins or leaves, so a listing after a silo loss still names them (as not
/// alive until they heartbeat again).
/// </summary>
[Alias("flo.action.workers")]
public interface IActionWorkersGrain : IGrainWithStringKey
{
    /// <summary>Records a worker's heartbeat (joins it when new).</summary>
    Task Heartbeat(WorkerInfo worker);

    /// <summary>Removes a worker that stopped.</summary>
    Task Leave(string workerId);

    /// <summary>Every known worker; those silent for three heartbeat intervals are marked not alive, and forgotten after an hour.</summary>
    [ReadOnly]
    Task<WorkerInfo[]> List();
}
