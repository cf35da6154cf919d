using Flo.Dataflow;
using Flo.Kv;

namespace Flo.Grains.Dataflow;

/// <summary>The run in its namespace's index (<see cref="IFlowRunIndexGrain"/>), and its deletion.</summary>
public sealed partial class FlowRunGrain
{
    private IFlowRunIndexGrain Index => GrainFactory.GetGrain<IFlowRunIndexGrain>(ns);

    private FlowRunSummary Summary() => new()
    {
        RunId = runId,
        Flow = S.Start.Graph.Name,
        Status = S.Status,
        Reason = S.Reason,
        StartedAtMs = S.StartedAtMs,
        FinishedAtMs = S.FinishedAtMs,
    };

    /// <summary>
    /// Enters the run in the index before the start is answered. It never fails the start (the run is stored and must be
    /// scheduled): when the index cannot be reached now, it is told in the background.
    /// </summary>
    private async Task EnterIndexAsync()
    {
        try
        {
            await Index.Put(Summary());
        }
        catch (Exception e) when (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogIndexFailed(logger, e, ns, runId);
            Reindex();
        }
    }

    /// <summary>Tells the index the run's status in the background (the run's own state is the authority; the listing follows).</summary>
    private void Reindex() => _ = ReindexAsync(Summary());

    private async Task ReindexAsync(FlowRunSummary summary)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Index.Put(summary);
                return;
            }
            catch (Exception) when (attempt < 5 && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time);
            }
            catch (Exception e)
            {
                LogIndexFailed(logger, e, ns, runId);
                return;
            }
        }
    }

    /// <inheritdoc/>
    public async Task<bool> Delete()
    {
        if (!state.RecordExists)
        {
            // Nothing here; an index entry left by an earlier deletion that failed half-way goes too.
            await Index.Remove(runId);
            return false;
        }
        if (IsRunning)
        {
            throw new FlowRunNotFinishedException($"Flow run {ns}/{runId} is {S.Status}: cancel it before deleting it.", S.Status);
        }
        await Task.WhenAll(S.Start.Graph.Nodes.Select(n => GrainFactory.GetGrain<IFlowNodeGrain>(FlowLimits.NodeKey(ns, runId, n.Name)).Delete()));
        await DropValuesAsync();
        // The run's state goes last, so a deletion that failed before can be asked again by id and finishes the job.
        await state.ClearStateAsync();
        state.State = new FlowRunState();
        schedule = null;
        nodeGrains = null;
        await Index.Remove(runId);
        LogDeleted(logger, ns, runId);
        DeactivateOnIdle();
        return true;
    }

    /// <summary>
    /// Drops the values the run passed by reference (<see cref="FlowValueRefs.KeyPrefix"/>). A plain KV delete would keep
    /// the value in the key's history, so each key is overwritten with an empty value that expires at once and then
    /// settled (reclaimed), which leaves only the KV store's small expiry marker.
    /// </summary>
    private async Task DropValuesAsync()
    {
        var kv = new KvApi(GrainFactory);
        var keys = new List<string>();
        await foreach (var key in kv.ScanAllAsync(ns, FlowValueRefs.KeyPrefix(runId)))
        {
            keys.Add(key);
        }
        if (keys.Count == 0)
        {
            return;
        }
        var grains = keys.Select(k => GrainFactory.GetGrain<IKvKeyGrain>(KvKeys.GrainKey(ns, k))).ToList();
        await Task.WhenAll(grains.Select(g => g.Put([], new KvPutCondition { TtlMilliseconds = 1 })));
        await Task.Delay(TimeSpan.FromMilliseconds(5), time);
        await Task.WhenAll(grains.Select(g => g.SettleListing()));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: updating the namespace's run index failed; the listing may show an older status")]
    private static partial void LogIndexFailed(ILogger logger, Exception error, string @namespace, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow run {Namespace}/{RunId} deleted with its nodes and values")]
    private static partial void LogDeleted(ILogger logger, string @namespace, string runId);
}
