namespace Flo.Dataflow;

/// <summary>
/// The flow runs of one namespace (grain key: the namespace): a summary per run, entered by the run's grain when it
/// starts, updated when it finishes, removed when it is deleted. Serves the listing (newest first, by status) and
/// deletes finished runs past the silo's retention (<c>Cluster:Dataflow:FinishedRunRetention</c>).
/// </summary>
[Alias("flo.flow.run-index")]
public interface IFlowRunIndexGrain : IGrainWithStringKey
{
    /// <summary>Enters or updates a run (a repeat changes nothing older: the later status wins).</summary>
    [Idempotent]
    [Alias("put")]
    Task Put(FlowRunSummary run);

    /// <summary>Removes a run (a repeat changes nothing).</summary>
    [Idempotent]
    [Alias("remove")]
    Task Remove(string runId);

    /// <summary>
    /// Runs newest first (by start time, then run id descending) that started before <paramref name="beforeStartedMs"/>,
    /// or at that time with a smaller run id than <paramref name="beforeRunId"/>; only those with <paramref name="status"/> if given.
    /// </summary>
    [ReadOnly]
    [Alias("list")]
    Task<FlowRunSummary[]> List(FlowRunStatus? status, long beforeStartedMs, string? beforeRunId, int limit);
}
