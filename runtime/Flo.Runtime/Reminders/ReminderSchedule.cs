using Cronos;

namespace Flo.Runtime.Reminders;

/// <summary>When a reminder is due next, by period or by cron (Cronos: 5 fields, or 6 with seconds).</summary>
public static class ReminderSchedule
{
    /// <summary>Parses a cron expression or throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static CronExpression ParseCron(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new ArgumentException($"'{cron}' is not a cron expression (5 fields, or 6 with seconds): {e.Message}", nameof(cron), e);
        }
    }

    /// <summary>Resolves a time zone id, or throws <see cref="ArgumentException"/>.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        if (id is null)
        {
            return TimeZoneInfo.Utc;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new ArgumentException($"Unknown time zone '{id}'.", nameof(id), e);
        }
    }

    /// <summary>The first due time strictly after <paramref name="afterMs"/>.</summary>
    public static long NextAfter(ReminderEntry entry, long afterMs)
    {
        if (entry.Cron is { } cron)
        {
            var next = ParseCron(cron).GetNextOccurrence(DateTimeOffset.FromUnixTimeMilliseconds(afterMs), Zone(entry.TimeZone), inclusive: false);
            // An expression that never fires again (e.g. a date in the past) parks the reminder far away.
            return next?.ToUnixTimeMilliseconds() ?? long.MaxValue / 2;
        }
        if (afterMs < entry.StartAtMs)
        {
            return entry.StartAtMs;
        }
        var periods = (afterMs - entry.StartAtMs) / entry.PeriodMs + 1;
        return entry.StartAtMs + periods * entry.PeriodMs;
    }

    /// <summary>How many further ticks fell due after <paramref name="dueMs"/> and up to <paramref name="nowMs"/>.</summary>
    public static int MissedAfter(ReminderEntry entry, long dueMs, long nowMs)
    {
        var missed = 0;
        var t = NextAfter(entry, dueMs);
        while (t <= nowMs && missed < 1_000_000)
        {
            missed++;
            t = entry.Cron is null ? t + entry.PeriodMs : NextAfter(entry, t);
        }
        return missed;
    }
}
