using Flo.Reminders;
using Flo.Schedules;

namespace Flo.Grains.Schedules;

/// <summary>
/// When a schedule wakes: its next due time, the grain timer that fires it while active (armed <see cref="FireAheadMs"/>
/// early), and the Orleans reminder that brings it back after a silo loss.
/// </summary>
public sealed partial class ScheduleGrain
{
    private const string ReminderName = "schedule";

    /// <summary>The timer never sleeps longer than this (a jumped or fake clock is noticed); beyond a minute the reminder wakes us.</summary>
    private const long MaxTimerSleepMs = 1_000;

    private IGrainTimer? timer;
    private ReminderSchedule? timing;

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
        // Catching up, the next due time is the one after the last fired, even if it passed: stored ahead as any other.
        var from = DateTimeOffset.FromUnixTimeMilliseconds(d.MissedRuns == MissedRuns.RunEach ? S.AnchorMs : Math.Max(Now, S.AnchorMs));
        return Timing.NextAfter(from, anchor)?.ToUnixTimeMilliseconds() ?? 0;
    }

    /// <summary>Arms the timer for the next due time if it is within a minute (the reminder covers the rest).</summary>
    private void Arm()
    {
        if (heldBehind is not null)
        {
            // The long poll on the previous run arms the timer when it answers.
            Disarm();
            return;
        }
        var next = NextDue();
        if (next == 0)
        {
            Disarm();
            return;
        }
        // A failed fire is asked for again after its back-off, not at once.
        var wait = Math.Max(next - FireAheadMs, retryAtMs) - Now;
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
        var missed = d.MissedRuns switch
        {
            MissedRuns.Skip => MissedTicks.Skip,
            MissedRuns.RunEach => MissedTicks.FireEach,
            _ => MissedTicks.FireOnce,
        };
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
}
