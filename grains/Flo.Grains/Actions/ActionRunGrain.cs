using Flo.Grains.Diagnostics;
using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// One run: the authority on its status and attempts. Every transition is stored before the call returns, and only a
/// report on the current attempt is accepted, so a timed-out attempt's late result, or a second worker's, is refused.
/// After a transition the run tells its dispatch partition (which offers it to workers and times its leases) and
/// publishes an <see cref="ActionEvent"/> to the namespace's <see cref="IActionEventsGrain"/>.
/// </summary>
/// <remarks>
/// Not reentrant: transitions are turns, one at a time. <see cref="Wait"/> interleaves and only waits for the signal a
/// finishing transition gives after its write. A failed write deactivates the run so the next call reloads what was
/// stored rather than trusting memory that is ahead of it.
/// </remarks>
[GrainType("action-run")]
public sealed partial class ActionRunGrain(
    [PersistentState("run", FloStorage.Name)] IPersistentState<ActionRunState> state,
    TimeProvider time,
    ActionEventPublisher events,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<ActionRunGrain> logger) : Grain, IActionRunGrain
{
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string ns = "";
    private string runId = "";

    private ActionRunState Run => state.State;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, runId) = ActionLimits.SplitKey(this.GetPrimaryKeyString());
        if (state.RecordExists && Run.Status.IsFinished())
        {
            finished.TrySetResult();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task Create(RunCreation creation)
    {
        ArgumentNullException.ThrowIfNull(creation);
        if (state.RecordExists)
        {
            if (Run.Action == creation.Action && Run.SubmittedAtMs == creation.SubmittedAtMs)
            {
                return;
            }
            throw new InvalidOperationException($"Run {ns}/{runId} already exists.");
        }
        ActionLimits.ValidatePayload(creation.Payload);
        Run.Action = creation.Action;
        Run.Partition = creation.Partition;
        Run.Payload = creation.Payload;
        Run.Priority = creation.Priority;
        Run.IdempotencyKey = creation.IdempotencyKey;
        Run.SubmittedAtMs = creation.SubmittedAtMs;
        Run.Definition = creation.Definition;
        Run.Status = RunStatus.Pending;
        Run.NextAttemptAtMs = creation.VisibleAtMs > creation.SubmittedAtMs ? creation.VisibleAtMs : 0;
        await WriteAsync();
        Publish(ActionEventKind.Created, 0, null, null);
    }

    /// <inheritdoc/>
    public async Task<RunAnswer> Start(string workerId)
    {
        ActionLimits.ValidateWorkerId(workerId);
        if (!state.RecordExists)
        {
            return new RunAnswer { Missing = true };
        }
        var now = Now;
        if (Run.Status is not (RunStatus.Pending or RunStatus.Retrying) || Run.NextAttemptAtMs > now + ActionLimits.LeaseAheadMs + 5)
        {
            // Running elsewhere, finished, or not yet due: the partition follows what the run says.
            return Answer();
        }
        // Leased ahead of its due time: the attempt starts (and its timeout counts) from the due time, when the worker
        // starts the handler.
        var startAt = Math.Max(now, Run.NextAttemptAtMs);
        var attempt = new RunAttempt { Number = Run.Attempts.Count + 1, WorkerId = workerId, StartedAtMs = startAt, Outcome = AttemptOutcome.Running };
        Run.Attempts.Add(attempt);
        Run.Status = RunStatus.Running;
        Run.NextAttemptAtMs = 0;
        if (Run.StartedAtMs == 0)
        {
            Run.StartedAtMs = startAt;
        }
        await WriteAsync();
        Publish(ActionEventKind.Started, attempt.Number, workerId, null);
        return Answer() with
        {
            Lease = new RunLease
            {
                RunId = runId,
                Action = Run.Action,
                Payload = Run.Payload,
                Attempt = attempt.Number,
                MaxAttempts = MaxAttempts,
                TimeoutMs = Run.Definition.TimeoutMs,
                DeadlineMs = startAt + Run.Definition.TimeoutMs,
                NotBeforeMs = startAt,
                Priority = Run.Priority,
                SubmittedAtMs = Run.SubmittedAtMs,
                IdempotencyKey = Run.IdempotencyKey,
            },
        };
    }

    /// <inheritdoc/>
    public async Task Complete(int attempt, byte[] result)
    {
        ActionLimits.ValidatePayload(result, "Result");
        EnsureExists();
        if (Run.Status == RunStatus.Completed && Run.Attempts[^1].Number == attempt)
        {
            // The same report again (its first answer was lost): already done.
            return;
        }
        var current = CurrentAttempt(attempt, "complete");
        var now = Now;
        Run.Attempts[^1] = current with { Outcome = AttemptOutcome.Completed, FinishedAtMs = now };
        Run.Status = RunStatus.Completed;
        Run.Result = result;
        Run.FinishedAtMs = now;
        await WriteAsync();
        Publish(ActionEventKind.Completed, attempt, current.WorkerId, null);
        await SettleAsync();
    }

    /// <inheritdoc/>
    public async Task Fail(int attempt, string error)
    {
        EnsureExists();
        if (Run.Status is RunStatus.Failed or RunStatus.Retrying && Run.Attempts[^1].Number == attempt && Run.Attempts[^1].Outcome == AttemptOutcome.Failed)
        {
            return;
        }
        var current = CurrentAttempt(attempt, "fail");
        var kind = EndAttempt(current, AttemptOutcome.Failed, ActionLimits.TruncateError(error) ?? "failed", Now);
        await WriteAsync();
        Publish(kind, attempt, current.WorkerId, Run.Error);
        await SettleAsync();
    }

    /// <inheritdoc/>
    public async Task<RunAnswer> LoseLease(int attempt, LeaseLossReason reason)
    {
        if (!state.RecordExists)
        {
            return new RunAnswer { Missing = true };
        }
        if (Run.Status != RunStatus.Running || Run.Attempts[^1].Number != attempt)
        {
            return Answer();
        }
        var current = Run.Attempts[^1];
        var now = Now;
        ActionEventKind kind;
        if (reason == LeaseLossReason.Released)
        {
            Run.Attempts[^1] = current with { Outcome = AttemptOutcome.Released, FinishedAtMs = now, Error = "handed back by a stopping worker" };
            Run.Status = RunStatus.Pending;
            Run.NextAttemptAtMs = 0;
            kind = ActionEventKind.Released;
        }
        else
        {
            var error = reason == LeaseLossReason.Timeout
                ? $"timed out after {Run.Definition.TimeoutMs} ms on worker {current.WorkerId}"
                : $"worker {current.WorkerId} stopped heartbeating";
            kind = EndAttempt(current, AttemptOutcome.TimedOut, error, now);
        }
        await WriteAsync();
        Publish(kind, attempt, current.WorkerId, Run.Attempts[^1].Error);
        return Answer();
    }

    /// <inheritdoc/>
    public async Task<bool> Cancel()
    {
        EnsureExists();
        if (Run.Status.IsFinished())
        {
            return false;
        }
        var now = Now;
        if (Run.Status == RunStatus.Running)
        {
            Run.Attempts[^1] = Run.Attempts[^1] with { Outcome = AttemptOutcome.Cancelled, FinishedAtMs = now };
        }
        Run.Status = RunStatus.Cancelled;
        Run.FinishedAtMs = now;
        Run.NextAttemptAtMs = 0;
        await WriteAsync();
        Publish(ActionEventKind.Cancelled, Run.Attempts.Count, null, null);
        await SettleAsync();
        return true;
    }

    /// <inheritdoc/>
    public Task<ActionRun?> Get() => Task.FromResult(View());

    /// <inheritdoc/>
    public async Task<ActionRun?> Wait(int blockMs, CancellationToken cancellationToken)
    {
        if (!state.RecordExists || Run.Status.IsFinished() || blockMs <= 0)
        {
            return View();
        }
        using var wait = WaitCancellation.Link(cancellationToken, lifetime);
        await Task.WhenAny(finished.Task, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, GrainWaits.MaxWaitMs)), time, wait.Token));
        return View();
    }

    /// <inheritdoc/>
    public async Task Purge()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }
        DeactivateOnIdle();
    }

    private int MaxAttempts => Run.Definition.MaxRetries + 1;

    /// <summary>
    /// Ends the current attempt as failed or timed out: the run retries after its backoff delay while retries are left,
    /// else it finishes (failed, or timed out when the last attempt timed out).
    /// </summary>
    private ActionEventKind EndAttempt(RunAttempt current, AttemptOutcome outcome, string error, long now)
    {
        Run.Attempts[^1] = current with { Outcome = outcome, FinishedAtMs = now, Error = error };
        Run.Error = error;
        var failed = Run.FailedAttempts;
        if (failed <= Run.Definition.MaxRetries)
        {
            Run.Status = RunStatus.Retrying;
            Run.NextAttemptAtMs = now + Run.Definition.RetryDelayFor(failed);
            return ActionEventKind.Retrying;
        }
        Run.Status = outcome == AttemptOutcome.TimedOut ? RunStatus.TimedOut : RunStatus.Failed;
        Run.FinishedAtMs = now;
        return outcome == AttemptOutcome.TimedOut ? ActionEventKind.TimedOut : ActionEventKind.Failed;
    }

    private RunAttempt CurrentAttempt(int attempt, string what)
    {
        if (Run.Status != RunStatus.Running || Run.Attempts[^1].Number != attempt)
        {
            throw new StaleAttemptException(
                $"Run {ns}/{runId}: cannot {what} attempt {attempt}; the run is {Run.Status} at attempt {Run.Attempts.Count} (that attempt timed out, was cancelled or handed to another worker). Nothing was changed.");
        }
        return Run.Attempts[^1];
    }

    private void EnsureExists()
    {
        if (!state.RecordExists)
        {
            throw new RunNotFoundException($"Run {runId} does not exist in namespace '{ns}'.");
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            LogWriteFailed(logger, e, ns, runId);
            DeactivateOnIdle();
            throw;
        }
        if (Run.Status.IsFinished())
        {
            finished.TrySetResult();
        }
    }

    /// <summary>
    /// Tells the partition about a transition it did not ask for. Best effort: the run is already stored, and a
    /// partition that missed it learns it when the attempt's lease ends and it asks the run.
    /// </summary>
    private async Task SettleAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IActionDispatchGrain>(ActionLimits.DispatchKey(ns, Run.Action, Run.Partition)).Settle(runId, Answer());
        }
        catch (Exception e)
        {
            LogSettleFailed(logger, e, ns, runId);
        }
    }

    private RunAnswer Answer()
    {
        if (!state.RecordExists)
        {
            return new RunAnswer { Missing = true };
        }
        var last = Run.Attempts.Count > 0 ? Run.Attempts[^1] : null;
        return new RunAnswer
        {
            Status = Run.Status,
            Attempt = Run.Attempts.Count,
            WorkerId = last?.WorkerId,
            DeadlineMs = last is { Outcome: AttemptOutcome.Running } ? last.StartedAtMs + Run.Definition.TimeoutMs : 0,
            NextAttemptAtMs = Run.NextAttemptAtMs,
            FinishedAtMs = Run.FinishedAtMs,
            StartedAtMs = Run.StartedAtMs,
            Error = Run.Error,
        };
    }

    private ActionRun? View() => !state.RecordExists ? null : new ActionRun
    {
        RunId = runId,
        Namespace = ns,
        Action = Run.Action,
        Status = Run.Status,
        Priority = Run.Priority,
        Payload = Run.Payload,
        Result = Run.Result,
        Error = Run.Error,
        IdempotencyKey = Run.IdempotencyKey,
        SubmittedAtMs = Run.SubmittedAtMs,
        StartedAtMs = Run.StartedAtMs,
        FinishedAtMs = Run.FinishedAtMs,
        NextAttemptAtMs = Run.NextAttemptAtMs,
        Attempts = [.. Run.Attempts],
        MaxAttempts = MaxAttempts,
    };

    /// <summary>
    /// Publishes a run event without holding the transition up (the silo's <see cref="ActionEventPublisher"/> sends them
    /// in order). Events are for watchers; a lost one never changes a run.
    /// </summary>
    private void Publish(ActionEventKind kind, int attempt, string? workerId, string? error)
    {
        var e = new ActionEvent { Kind = kind, Namespace = ns, Action = Run.Action, RunId = runId, Status = Run.Status, Attempt = attempt, AtMs = Now, WorkerId = workerId, Error = error };
        events.Publish(e);
        if (Run.Status.IsFinished())
        {
            var tags = new System.Diagnostics.TagList { { "namespace", ns }, { "action", Run.Action }, { "status", StatusTag(Run.Status) } };
            FloInstruments.RunsFinished.Add(1, tags);
            FloInstruments.RunDuration.Record(e.AtMs - Run.SubmittedAtMs, tags);
        }
    }

    private static string StatusTag(RunStatus status) => status switch
    {
        RunStatus.Completed => "completed",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        RunStatus.TimedOut => "timed_out",
        _ => "other",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {Namespace}/{RunId}: a storage write failed; the run deactivates and reloads")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, string @namespace, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {Namespace}/{RunId}: could not tell its dispatch partition; it learns when the lease ends")]
    private static partial void LogSettleFailed(ILogger logger, Exception error, string @namespace, string runId);
}
