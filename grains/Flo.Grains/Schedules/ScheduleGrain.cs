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
/// before the run is invoked with <c>schedule:{id}:{due}</c> as idempotency key, and cleared after; a schedule that
/// finds a pending due time on its next tick asks for the same run again, which the action's partition answers with
/// the first run's id. Due times missed while the cluster was down collapse into one run (or are skipped, per schedule).
/// </remarks>
[GrainType("schedule")]
public sealed partial class ScheduleGrain(
    [PersistentState("schedule", FloStorage.Name)] IPersistentState<ScheduleState> state,
    TimeProvider time,
    ILogger<ScheduleGrain> logger) : Grain, IScheduleGrain, IRemindable
{
    private const string ReminderName = "schedule";

    /// <summary>The timer never sleeps longer than this (a jumped or fake clock is noticed); beyond a minute the reminder wakes us.</summary>
    private const long MaxTimerSleepMs = 1_000;

    /// <summary>How late a due time may be found and still run under <see cref="MissedRuns.Skip"/>.</summary>
    public static readonly TimeSpan MissedAfter = TimeSpan.FromSeconds(10);

    private IGrainTimer? timer;
    private ReminderSchedule? timing;

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
        await state.WriteStateAsync();
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
            S.PendingMs = 0;
        }
        await state.WriteStateAsync();
        if (enabled)
        {
            await RegisterReminderAsync();
            Arm();
        }
        else
        {
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
        await state.ClearStateAsync();
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

    /// <summary>Fires what is due: a pending due time first (its run again, same key), then the schedule's next one.</summary>
    private async Task TickAsync()
    {
        if (!state.RecordExists || !S.Enabled)
        {
            return;
        }
        try
        {
            if (S.PendingMs != 0)
            {
                await FireAsync(S.PendingMs);
            }
            if (S.PendingMs == 0 && Due(Now) is { } due)
            {
                S.PendingMs = due;
                await state.WriteStateAsync();
                await FireAsync(due);
            }
        }
        catch (Exception e)
        {
            // The due time stays pending and is asked for again at the next tick (same key: still one run).
            LogFireFailed(logger, e, ns, id);
        }
        finally
        {
            Arm();
        }
    }

    /// <summary>The due time to fire now, if any (moving the anchor past what is skipped or collapsed).</summary>
    private long? Due(long now)
    {
        var d = S.Definition;
        if (d.Kind == ScheduleKind.Once)
        {
            return !S.Done && now >= d.AtMs ? d.AtMs : null;
        }
        var check = Timing.Check(DateTimeOffset.FromUnixTimeMilliseconds(S.AnchorMs), DateTimeOffset.FromUnixTimeMilliseconds(now));
        if (!check.Changed)
        {
            return null;
        }
        S.AnchorMs = check.LastFiredUtc.ToUnixTimeMilliseconds();
        S.Missed += check.Missed;
        return check.Fire ? check.Occurrence!.Value.ToUnixTimeMilliseconds() : null;
    }

    private async Task FireAsync(long due)
    {
        var d = S.Definition;
        // Lateness as the invoke starts (a missed run collapsed after downtime counts its whole delay).
        FloInstruments.ScheduleLateness.Record(Math.Max(0, Now - due), new KeyValuePair<string, object?>("namespace", ns), new KeyValuePair<string, object?>("action", d.Action));
        var runId = await (actions ??= new ActionApi(GrainFactory)).InvokeAsync(ns, d.Action, new RunInvocation
        {
            Payload = d.Args,
            Priority = d.Priority,
            IdempotencyKey = $"schedule:{id}:{due}",
            MaxRetries = d.MaxRetries,
            RetryDelayMs = d.RetryDelayMs,
        });
        S.PendingMs = 0;
        S.LastRunAtMs = due;
        S.LastRunId = runId;
        S.Fired++;
        if (d.Kind == ScheduleKind.Once)
        {
            S.Done = true;
            S.Enabled = false;
        }
        S.UpdatedAtMs = Now;
        await state.WriteStateAsync();
        Publish(ActionEventKind.ScheduleFired, runId);
        if (d.Kind == ScheduleKind.Once)
        {
            await UnregisterReminderAsync();
        }
    }

    private long NextDue()
    {
        if (!S.Enabled)
        {
            return 0;
        }
        if (S.PendingMs != 0)
        {
            return S.PendingMs;
        }
        var d = S.Definition;
        if (d.Kind == ScheduleKind.Once)
        {
            return S.Done ? 0 : d.AtMs;
        }
        var anchor = DateTimeOffset.FromUnixTimeMilliseconds(S.AnchorMs);
        var from = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(Now, S.AnchorMs));
        return Timing.NextAfter(from, anchor)?.ToUnixTimeMilliseconds() ?? 0;
    }

    /// <summary>Arms the timer for the next due time if it is within a minute (the reminder covers the rest).</summary>
    private void Arm()
    {
        var next = NextDue();
        if (next == 0)
        {
            Disarm();
            return;
        }
        var wait = next - Now;
        if (wait > 60_000)
        {
            Disarm();
            return;
        }
        var delay = TimeSpan.FromMilliseconds(Math.Clamp(wait, 1, MaxTimerSleepMs));
        if (timer is null)
        {
            timer = this.RegisterGrainTimer(_ => TickAsync(), delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Disarm()
    {
        timer?.Dispose();
        timer = null;
    }

    private ReminderSchedule Timing => timing ??= TimingOf(S.Definition);

    /// <summary>The due-time rule of a definition; an invalid cron expression or zone is refused naming what is wrong.</summary>
    private static ReminderSchedule TimingOf(ScheduleDefinition d)
    {
        var missed = d.MissedRuns == MissedRuns.Skip ? MissedTicks.Skip : MissedTicks.FireOnce;
        // An active schedule's timer finds a due time within about a second; one found more than MissedAfter late was
        // missed (the schedule's silo was down until its reminder brought it back).
        try
        {
            return d.Kind switch
            {
                ScheduleKind.Cron => ReminderSchedule.Cron(d.Cron!, d.TimeZone) with { MissedTicks = missed, Tolerance = MissedAfter },
                ScheduleKind.Interval => ReminderSchedule.Every(TimeSpan.FromMilliseconds(d.IntervalMs)) with { MissedTicks = missed, Tolerance = MissedAfter },
                _ => ReminderSchedule.Every(TimeSpan.FromDays(1)),
            };
        }
        catch (ArgumentException e)
        {
            throw new ScheduleArgumentException(e.Message);
        }
    }

    private async Task RegisterReminderAsync()
    {
        // Every minute (Orleans' usual minimum): it only has to bring the schedule back after a silo loss; the timer
        // keeps the due times while the schedule is active.
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    private async Task UnregisterReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

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
    {
        var e = new ActionEvent { Kind = kind, Namespace = ns, Action = action ?? S.Definition.Action, RunId = runId ?? "", ScheduleId = id, AtMs = Now };
        _ = PublishAsync(e);
    }

    private async Task PublishAsync(ActionEvent e)
    {
        try
        {
            await GrainFactory.GetGrain<IActionEventsGrain>(ns).Publish(e);
        }
        catch (Exception error)
        {
            LogPublishFailed(logger, error, ns, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Namespace}/{Id}: firing failed; the due time stays pending and is asked for again")]
    private static partial void LogFireFailed(ILogger logger, Exception error, string @namespace, string id);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule {Namespace}/{Id}: an event was not published")]
    private static partial void LogPublishFailed(ILogger logger, Exception error, string @namespace, string id);
}
