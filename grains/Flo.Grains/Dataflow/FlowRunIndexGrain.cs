using Flo.Dataflow;
using Microsoft.Extensions.Options;

namespace Flo.Grains.Dataflow;

/// <summary>
/// The flow runs of one namespace: entered by each run's grain when it starts (before the start is answered, so a
/// started run is listed), updated when it finishes, removed when it is deleted. With a retention
/// (<see cref="FlowGrainOptions.FinishedRunRetention"/>) it deletes finished runs once they are older; a reminder
/// brings it back for that while it holds finished runs.
/// </summary>
/// <remarks>
/// One grain per namespace, like the namespace catalog: a listing is one call, at the cost of one writer per namespace
/// (a write per run start and finish; flows are coarse compared with action runs, which are partitioned). Runs are
/// deleted by calling their grains in the background, not inside a turn: a run's deletion removes it from this index,
/// which a waiting turn would block.
/// </remarks>
[GrainType("flow-run-index")]
public sealed partial class FlowRunIndexGrain(
    [PersistentState("flow-run-index", FloStorage.Name)] IPersistentState<FlowRunIndexState> state,
    IOptions<FlowGrainOptions> options,
    TimeProvider time,
    ILogger<FlowRunIndexGrain> logger) : Grain, IFlowRunIndexGrain, IRemindable
{
    private const int MaxListLimit = 1000;
    private readonly HashSet<string> purging = new(StringComparer.Ordinal);
    private readonly TimeSpan? retention = options.Value.FinishedRunRetention;
    private RecoveryReminder reminder = null!;
    private IGrainTimer? timer;
    private string ns = "";

    private Dictionary<string, FlowRunSummary> Runs => state.State.Runs;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ns = this.GetPrimaryKeyString();
        reminder = new RecoveryReminder(this, "flow-run-retention", e => LogReminderFailed(logger, e, ns));
        ArmRetention();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task Put(FlowRunSummary run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (Runs.TryGetValue(run.RunId, out var known) && (known == run || (known.Status.IsFinished() && !run.Status.IsFinished())))
        {
            // A repeat, or a start reported again after the run finished: the finished one stands.
            return;
        }
        Runs[run.RunId] = run;
        await WriteAsync(() => Restore(run.RunId, known));
        ArmRetention();
    }

    /// <inheritdoc/>
    public async Task Remove(string runId)
    {
        if (!Runs.TryGetValue(runId, out var known))
        {
            return;
        }
        Runs.Remove(runId);
        await WriteAsync(() => Restore(runId, known));
    }

    /// <inheritdoc/>
    public Task<FlowRunSummary[]> List(FlowRunStatus? status, long beforeStartedMs, string? beforeRunId, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxListLimit + 1);
        var page = Runs.Values
            .Where(r => status is null || r.Status == status)
            .Where(r => r.StartedAtMs < beforeStartedMs
                || (r.StartedAtMs == beforeStartedMs && beforeRunId is not null && string.CompareOrdinal(r.RunId, beforeRunId) < 0))
            .OrderByDescending(r => r.StartedAtMs).ThenByDescending(r => r.RunId, StringComparer.Ordinal)
            .Take(limit)
            .ToArray();
        return Task.FromResult(page);
    }

    /// <inheritdoc/>
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation armed the timer; finished runs past the retention are deleted at its next tick.
        ArmRetention();
        return Task.CompletedTask;
    }

    private async Task WriteAsync(Action undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: the caller retries, and must not find the change made meanwhile.
            undo();
            throw;
        }
    }

    private void Restore(string runId, FlowRunSummary? known)
    {
        if (known is null)
        {
            Runs.Remove(runId);
        }
        else
        {
            Runs[runId] = known;
        }
    }

    /// <summary>With a retention and finished runs to expire: a timer while active, the reminder for after.</summary>
    private void ArmRetention()
    {
        if (retention is not { } keep || !Runs.Values.Any(r => r.Status.IsFinished()))
        {
            return;
        }
        reminder.Ensure();
        if (timer is null)
        {
            var period = TimeSpan.FromMilliseconds(Math.Clamp(keep.TotalMilliseconds / 2, 500, 60_000));
            timer = this.RegisterGrainTimer(Expire, new GrainTimerCreationOptions(period, period) { KeepAlive = false });
        }
    }

    /// <summary>Deletes (in the background) the finished runs older than the retention.</summary>
    private async Task Expire(CancellationToken cancellationToken)
    {
        var before = Now - (long)retention!.Value.TotalMilliseconds;
        var expired = Runs.Values.Where(r => r.Status.IsFinished() && r.FinishedAtMs <= before && purging.Add(r.RunId)).Select(r => r.RunId).ToList();
        foreach (var runId in expired)
        {
            _ = DeleteRunAsync(runId);
        }
        if (!Runs.Values.Any(r => r.Status.IsFinished()) && purging.Count == 0)
        {
            timer?.Dispose();
            timer = null;
            await reminder.DropAsync();
        }
    }

    private async Task DeleteRunAsync(string runId)
    {
        try
        {
            // The run's grain removes it from this index (a turn of its own) once its grains and values are gone.
            await GrainFactory.GetGrain<IFlowRunGrain>(FlowLimits.FlowRunKey(ns, runId)).Delete();
            LogExpired(logger, ns, runId);
        }
        catch (Exception e)
        {
            LogExpireFailed(logger, e, ns, runId);
        }
        finally
        {
            purging.Remove(runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow runs of {Namespace}: deleted finished run {RunId} past its retention")]
    private static partial void LogExpired(ILogger logger, string @namespace, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow runs of {Namespace}: deleting run {RunId} past its retention failed; tried again at the next tick")]
    private static partial void LogExpireFailed(ILogger logger, Exception error, string @namespace, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow runs of {Namespace}: registering the retention reminder failed")]
    private static partial void LogReminderFailed(ILogger logger, Exception error, string @namespace);
}
