using Flo.Grains.Actions;
using Flo.Grains.Diagnostics;
using Flo.Actions;
using Flo.Reminders;
using Flo.Schedules;

namespace Flo.Grains.Schedules;

/// <summary>
/// One schedule. Due times come from <see cref="ReminderSchedule"/> (Cronos cron in an IANA zone, or an interval) or a
/// single time; an Orleans reminder (every minute, or the interval when shorter) brings the schedule back after a silo
/// loss, and a grain timer wakes it at the next due time while it is active.
/// </summary>
/// <remarks>
/// Exactly one run per due time: the due time is stored with the schedule (<see cref="ScheduleState.PendingMs"/>)
/// before the run is invoked with <c>schedule:{id}:{due}</c> as idempotency key. A fire stores its outcome together
/// with the next due time, so the usual fire costs one write (after its invoke) and the stored due time is always the
/// one a lost activation may have invoked: a schedule that finds it due asks for the same run again, which the
/// action's partition answers with the first run's id; one that finds it no longer due (late after downtime) asks the
/// partition whether it ran (<see cref="IActionDispatchGrain.RunOfKey"/>) before counting it missed. Due times missed
/// while the cluster was down collapse into one run (or are skipped, per schedule).
/// <para>Admission: a schedule keeps at most one run that never started. When a due time comes while its previous run
/// still waits for a worker, the fire is held (no run is created, nothing is written) until that run starts; the due
/// times that passed meanwhile are then missed runs, collapsed or skipped as after downtime. So a cluster that cannot
/// keep up, or an action with no worker, gets one waiting run per schedule instead of an ever longer line of them.</para>
/// <para>By concept: fires and their writes here, admission in <c>.Admission.cs</c>, the timer, next due time and
/// reminder in <c>.Timing.cs</c>.</para>
/// </remarks>
[GrainType("schedule")]
public sealed partial class ScheduleGrain(
    [PersistentState("schedule", FloStorage.Name)] IPersistentState<ScheduleState> state,
    TimeProvider time,
    ActionEventPublisher events,
    ILogger<ScheduleGrain> logger) : Grain, IScheduleGrain, IRemindable
{
    /// <summary>
    /// A due time's run is invoked this long before it, waiting until then (as Quartz acquires its triggers ahead): the
    /// invoke's writes happen before the due time, not between it and the handler's start. Less than the shortest
    /// spacing of due times (a second), so only the next due time is ever invoked ahead.
    /// </summary>
    public const long FireAheadMs = 500;

    /// <summary>How late a due time may be found and still run under <see cref="MissedRuns.Skip"/>.</summary>
    public static readonly TimeSpan MissedAfter = TimeSpan.FromSeconds(10);

    /// <summary>The first wait after a failed fire; it doubles with each failure in a row.</summary>
    public const long FirstRetryDelayMs = 100;

    /// <summary>The longest wait after failed fires.</summary>
    public const long MaxRetryDelayMs = 5_000;

    private bool pendingUnknown;
    private int failures;
    private long retryAtMs;

    // One per activation, not one per fire: the API caches the action's partition count (fixed at registration), which
    // a fresh one asks the action's grain for, one extra call per run on a single grain every schedule of it shares.
    private ActionApi? actions;
    private string ns = "";
    private string id = "";

    private ScheduleState S => state.State;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, id) = ActionLimits.SplitKey(this.GetPrimaryKeyString());
        // A stored due time may have been invoked by an activation that was lost before storing the outcome.
        pendingUnknown = state.RecordExists && S.PendingMs != 0;
        if (state.RecordExists && S.Enabled)
        {
            Arm();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<ScheduleInfo> Create(ScheduleDefinition definition)
    {
        ScheduleLimits.Validate(definition);
        if (ScheduleLimits.IdOf(definition) != id)
        {
            throw new ScheduleArgumentException($"Schedule {id} was asked to hold another definition.");
        }
        if (state.RecordExists)
        {
            return Info();
        }
        timing = TimingOf(definition);
        var now = Now;
        state.State = new ScheduleState { Definition = definition, Enabled = true, CreatedAtMs = now, UpdatedAtMs = now, AnchorMs = now };
        // The first due time is stored with the schedule, so its fire needs no write before the invoke.
        S.PendingMs = NextDue();
        await state.WriteStateAsync();
        pendingUnknown = false;
        await GrainFactory.GetGrain<IScheduleCatalogGrain>(ns).Add(id);
        await RegisterReminderAsync();
        Arm();
        Publish(ActionEventKind.ScheduleCreated, null);
        return Info();
    }

    /// <inheritdoc/>
    public async Task<ScheduleInfo> SetEnabled(bool enabled)
    {
        EnsureExists();
        if (S.Enabled == enabled)
        {
            return Info();
        }
        S.Enabled = enabled;
        S.UpdatedAtMs = Now;
        if (enabled)
        {
            // Re-enabling recomputes the next due time from now: nothing missed while disabled is run.
            S.AnchorMs = Now;
            // Cleared first: NextDue answers a stored due time before it computes one from the anchor.
            S.PendingMs = 0;
            S.PendingMs = NextDue();
        }
        await state.WriteStateAsync();
        if (enabled)
        {
            pendingUnknown = false;
            ResetBackOff();
            await RegisterReminderAsync();
            Arm();
        }
        else
        {
            // First: the cancel must reach the run before its due time.
            await CancelRunInvokedAheadAsync(S.LastRunId, S.LastRunAtMs);
            await UnregisterReminderAsync();
            Disarm();
        }
        Publish(enabled ? ActionEventKind.ScheduleEnabled : ActionEventKind.ScheduleDisabled, null);
        return Info();
    }

    /// <inheritdoc/>
    public async Task Delete()
    {
        EnsureExists();
        var action = S.Definition.Action;
        var (lastRun, lastDue) = (S.LastRunId, S.LastRunAtMs);
        await state.ClearStateAsync();
        await CancelRunInvokedAheadAsync(lastRun, lastDue);
        await UnregisterReminderAsync();
        Disarm();
        await GrainFactory.GetGrain<IScheduleCatalogGrain>(ns).Remove(id);
        Publish(ActionEventKind.ScheduleDeleted, null, action);
        DeactivateOnIdle();
    }

    /// <inheritdoc/>
    public Task<ScheduleInfo?> Get() => Task.FromResult(state.RecordExists ? Info() : null);

    /// <inheritdoc/>
    public Task ReceiveReminder(string reminderName, TickStatus status) => TickAsync();

    /// <summary>
    /// Fires what is due. A fire stores its outcome together with the next due time (<see cref="ScheduleState.PendingMs"/>),
    /// so a due time found stored when it comes is invoked without another write first: one write per fire.
    /// </summary>
    /// <remarks>
    /// A failed fire waits (doubling from <see cref="FirstRetryDelayMs"/> up to <see cref="MaxRetryDelayMs"/>) and is
    /// asked for again with the same key; the schedule then reloads its stored state, as after a silo loss, because what
    /// failed may have been the write after an invoke that went through.
    /// </remarks>
    private async Task TickAsync()
    {
        if (!state.RecordExists || !S.Enabled || heldBehind is not null)
        {
            // Held: the long poll on the previous run arms the timer again when it answers.
            return;
        }
        if (retryAtMs > Now)
        {
            // Woken early (the timer sleeps at most a second, or the reminder came): still backing off.
            Arm();
            return;
        }
        try
        {
            await FireDueAsync();
            ResetBackOff();
        }
        catch (Exception e)
        {
            failures++;
            retryAtMs = Now + Math.Min(MaxRetryDelayMs, FirstRetryDelayMs << Math.Min(failures - 1, 16));
            LogFireFailed(logger, e, ns, id, failures);
            await ReloadAsync();
        }
        finally
        {
            Arm();
        }
    }

    private async Task FireDueAsync()
    {
        var now = Now;
        var plan = Plan(now + FireAheadMs);
        if (plan.Due is not null && await PreviousRunWaitsAsync())
        {
            return;
        }
        var pending = S.PendingMs;
        if (pending != 0 && pending != plan.Due && (pending <= now || plan.Due is not null))
        {
            // The stored due time is not the one to fire (a later one passed, or it was found too late to run). Had a
            // lost activation invoked it, its run exists: count it as fired rather than missed.
            if (pendingUnknown && pending <= now
                && await Actions.RunOfIdempotencyKeyAsync(ns, S.Definition.Action, KeyOf(pending), S.Definition.Args) is { } runId)
            {
                Fired(pending, runId);
                if (plan.Changed && pending > S.AnchorMs)
                {
                    S.Missed--;
                }
            }
            S.PendingMs = 0;
        }
        pendingUnknown = false;
        if (plan.Due is not { } due)
        {
            Apply(plan);
            if (plan.Changed || pending != S.PendingMs)
            {
                S.UpdatedAtMs = now;
                await state.WriteStateAsync();
            }
            return;
        }
        if (S.PendingMs != due)
        {
            // Not stored ahead (created before due times were, re-planned after a late wake-up or a reload): stored
            // before the invoke, whose key it is, as ever. The anchor is stored as it was, as with a due time stored
            // ahead: a fire that fails and reloads plans this due time again (or counts it missed once a later one
            // passed). Stored moved past it, the retry's plan would not know it and it would be neither run nor missed.
            S.PendingMs = due;
            await state.WriteStateAsync();
        }
        // In memory until the fire's write stores them with its outcome; a failed fire reloads the stored state.
        Apply(plan);
        await FireAsync(due);
    }

    private void Apply(DuePlan plan)
    {
        if (plan.Changed)
        {
            S.AnchorMs = plan.AnchorMs;
            S.Missed += plan.Missed;
        }
    }

    /// <summary>The due time to fire at <paramref name="now"/>, if any, and where the anchor moves (nothing changed yet).</summary>
    private DuePlan Plan(long now)
    {
        var d = S.Definition;
        if (d.Kind == ScheduleKind.Once)
        {
            return !S.Done && now >= d.AtMs ? new DuePlan(d.AtMs, true, S.AnchorMs, 0) : default;
        }
        var check = Timing.Check(DateTimeOffset.FromUnixTimeMilliseconds(S.AnchorMs), DateTimeOffset.FromUnixTimeMilliseconds(now));
        if (!check.Changed)
        {
            return default;
        }
        return new DuePlan(check.Fire ? check.Occurrence!.Value.ToUnixTimeMilliseconds() : null, true, check.LastFiredUtc.ToUnixTimeMilliseconds(), check.Missed);
    }

    /// <summary>Invokes the due time's run (its key makes a repeat the same run), then stores the outcome and the next due time in one write.</summary>
    private async Task FireAsync(long due)
    {
        var d = S.Definition;
        // Lateness as the invoke starts (a missed run collapsed after downtime counts its whole delay).
        FloInstruments.ScheduleLateness.Record(Math.Max(0, Now - due), new KeyValuePair<string, object?>("namespace", ns), new KeyValuePair<string, object?>("action", d.Action));
        var runId = await Actions.InvokeAsync(ns, d.Action, new RunInvocation
        {
            Payload = d.Args,
            Priority = d.Priority,
            IdempotencyKey = KeyOf(due),
            // Invoked ahead (FireAheadMs): offered to workers at the due time.
            DelayMs = Math.Max(0, due - Now),
            MaxRetries = d.MaxRetries,
            RetryDelayMs = d.RetryDelayMs,
        });
        Fired(due, runId);
        if (d.Kind == ScheduleKind.Once)
        {
            S.Done = true;
            S.Enabled = false;
        }
        S.PendingMs = NextDue();
        S.UpdatedAtMs = Now;
        await state.WriteStateAsync();
        Publish(ActionEventKind.ScheduleFired, runId);
        if (d.Kind == ScheduleKind.Once)
        {
            await UnregisterReminderAsync();
        }
    }

    /// <summary>
    /// A schedule disabled or deleted after its next run was invoked ahead (<see cref="FireAheadMs"/>) but before its
    /// due time: that run is cancelled, so nothing runs after the schedule was stopped. Best effort: a cancel that
    /// fails leaves the run, as a disable just after a due time would.
    /// </summary>
    private async Task CancelRunInvokedAheadAsync(string? runId, long due)
    {
        if (runId is null || due <= Now)
        {
            return;
        }
        try
        {
            await Actions.CancelAsync(ns, runId);
        }
        catch (Exception e)
        {
            LogCancelAheadFailed(logger, e, ns, id, runId);
        }
    }

    private void Fired(long due, string runId)
    {
        S.PendingMs = 0;
        S.LastRunAtMs = Math.Max(S.LastRunAtMs, due);
        S.LastRunId = runId;
        S.Fired++;
    }

    /// <summary>Back to what is stored after a failed fire (memory may be ahead of a write that failed); deactivates if even that fails.</summary>
    private async Task ReloadAsync()
    {
        try
        {
            await state.ReadStateAsync();
            pendingUnknown = state.RecordExists && S.PendingMs != 0;
        }
        catch (Exception e)
        {
            LogFireFailed(logger, e, ns, id, failures);
            Disarm();
            DeactivateOnIdle();
        }
    }

    private void ResetBackOff()
    {
        failures = 0;
        retryAtMs = 0;
    }

    private string KeyOf(long due) => $"schedule:{id}:{due}";

    private ActionApi Actions => actions ??= new ActionApi(GrainFactory);

    private void EnsureExists()
    {
        if (!state.RecordExists)
        {
            throw new ScheduleNotFoundException($"Schedule {id} does not exist in namespace '{ns}'.");
        }
    }

    private ScheduleInfo Info() => new()
    {
        Id = id,
        Namespace = ns,
        Definition = S.Definition,
        Enabled = S.Enabled,
        LastRunAtMs = S.LastRunAtMs,
        LastRunId = S.LastRunId,
        NextRunAtMs = NextDue(),
        CreatedAtMs = S.CreatedAtMs,
        UpdatedAtMs = S.UpdatedAtMs,
        Fired = S.Fired,
        Missed = S.Missed,
    };

    private void Publish(ActionEventKind kind, string? runId, string? action = null)
        => events.Publish(new ActionEvent { Kind = kind, Namespace = ns, Action = action ?? S.Definition.Action, RunId = runId ?? "", ScheduleId = id, AtMs = Now });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Namespace}/{Id}: firing failed ({Failures} in a row); the due time stays pending and is asked for again after a back-off")]
    private static partial void LogFireFailed(ILogger logger, Exception error, string @namespace, string id, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Namespace}/{Id}: stopped, but its run {RunId} invoked ahead of its due time could not be cancelled")]
    private static partial void LogCancelAheadFailed(ILogger logger, Exception error, string @namespace, string id, string runId);

    /// <summary>What <see cref="Plan"/> found: the due time to fire (if any) and the anchor and missed count it moves to.</summary>
    private readonly record struct DuePlan(long? Due, bool Changed, long AnchorMs, int Missed);
}
