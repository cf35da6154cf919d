using System.Globalization;
using Cronos;

namespace Flo.Reminders;

/// <summary>
/// A cron or period schedule run on top of an Orleans reminder, with a <see cref="MissedTicks"/> policy. Pure: the
/// clock and the grain's last fire time are passed in.
/// </summary>
/// <remarks>
/// <para>How a grain uses it. Orleans reminders tick at a fixed period, at least
/// <c>ReminderOptions.MinimumReminderPeriod</c> (1 min by default), and drop the ticks missed while the silo owning
/// them was down. So the grain registers one Orleans reminder as a <em>heartbeat</em>
/// (<see cref="Registration(DateTimeOffset?, DateTimeOffset)"/>: first tick at the next occurrence, then every
/// <see cref="Heartbeat"/>), keeps <c>LastFiredUtc</c> in its persistent state, and on each tick asks
/// <see cref="Check(DateTimeOffset?, DateTimeOffset)"/> whether an occurrence fell due in
/// (LastFiredUtc, now]. Occurrences are found up to one heartbeat late.</para>
/// <para>Several occurrences due at once (downtime, or a schedule denser than the heartbeat): with
/// <see cref="MissedTicks.FireOnce"/> the grain fires once, for the latest; with <see cref="MissedTicks.Skip"/> it
/// fires the latest only if it is at most <see cref="Tolerance"/> old, and none otherwise. Either way
/// <see cref="ScheduleCheck.LastFiredUtc"/> moves to the latest occurrence due, so the next check starts after it.
/// With <see cref="MissedTicks.FireEach"/> it fires the oldest and moves there: the next check finds the next one.</para>
/// <para>Before the first fire the grain passes the time it started the schedule (persisted with it), so occurrences
/// before that are never due. Passing null means "nothing known": only the last <see cref="Tolerance"/> counts.</para>
/// <para>Period schedules are anchored on the last fire: occurrences at LastFiredUtc + k·period.</para>
/// </remarks>
public sealed record ReminderSchedule
{
    /// <summary>The heartbeat of cron schedules: Orleans' default minimum reminder period, 1 min.</summary>
    public static readonly TimeSpan DefaultCronHeartbeat = TimeSpan.FromMinutes(1);

    /// <summary>Occurrences missed are counted up to this number.</summary>
    public const int MaxCountedMissed = 10_000;

    // Orleans' reminder tick may run a little before the occurrence the reminder was aligned to (timer and clock
    // resolution, another silo's clock); registering a little late makes the aligned tick find it.
    private static readonly TimeSpan AlignmentSlack = TimeSpan.FromMilliseconds(100);

    // Cronos starts every message with this sentence, which adds nothing to the messages built here.
    private const string CronosMessageStart = "The given cron expression has an invalid format. ";

    private static readonly string[] Macros = ["@every_second", "@every_minute", "@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"];

    private static readonly FieldRule[] StandardFields =
    [
        new("minute", 0, 59),
        new("hour", 0, 23),
        new("day of month", 1, 31),
        new("month", 1, 12, " or JAN-DEC"),
        new("day of week", 0, 7, " or SUN-SAT"),
    ];

    private static readonly FieldRule[] SecondFirstFields = [new("second", 0, 59), .. StandardFields];

    // A cron schedule's expression; when both day fields are restricted, its day-of-month half (day of week '*').
    private readonly CronExpression? cron;

    // When both day fields are restricted, the day-of-week half of the expression (day of month '*'); otherwise null.
    // A day matches when either half matches it (see Cron).
    private readonly CronExpression? weekdays;
    private readonly TimeSpan heartbeat;
    private readonly TimeSpan? tolerance;

    private ReminderSchedule(string? cronText, CronExpression? cron, CronExpression? weekdays, TimeZoneInfo zone, TimeSpan? period, TimeSpan heartbeat)
    {
        CronText = cronText;
        this.cron = cron;
        this.weekdays = weekdays;
        TimeZone = zone;
        Period = period;
        this.heartbeat = heartbeat;
    }

    /// <summary>The cron expression, or null for a period schedule.</summary>
    public string? CronText { get; }

    /// <summary>The time zone cron occurrences are computed in. Default UTC.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>The period, or null for a cron schedule.</summary>
    public TimeSpan? Period { get; }

    /// <summary>What to do with occurrences missed. Default <see cref="MissedTicks.FireOnce"/>.</summary>
    public MissedTicks MissedTicks { get; init; } = MissedTicks.FireOnce;

    /// <summary>
    /// The period of the Orleans reminder that drives the schedule: how late an occurrence may be found. Default
    /// 1 min for cron, the period (at most 1 min) for periods. Must be at least <c>ReminderOptions.MinimumReminderPeriod</c>.
    /// </summary>
    public TimeSpan Heartbeat
    {
        get => heartbeat;
        init => heartbeat = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(Heartbeat), value, "The heartbeat must be positive.");
    }

    /// <summary>
    /// How late an occurrence may be found and still count as on time under <see cref="MissedTicks.Skip"/>.
    /// Default twice <see cref="Heartbeat"/> (on a healthy silo occurrences are found at most one heartbeat late).
    /// </summary>
    public TimeSpan Tolerance
    {
        get => tolerance ?? 2 * heartbeat;
        init => tolerance = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "The tolerance must not be negative.");
    }

    /// <summary>
    /// A cron schedule (Cronos): 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro
    /// such as <c>@hourly</c>, <c>@daily</c>, <c>@weekly</c>. Occurrences falling in a daylight-saving gap run at the end of
    /// the gap. In an overlap a fixed-time expression runs once (in the first, daylight half), while one whose second,
    /// minute or hour field has <c>*</c>, a range or a step runs in both halves.
    /// </summary>
    /// <remarks>
    /// When both day-of-month and day-of-week are restricted (neither is <c>*</c> or <c>?</c>), a day matches when
    /// <em>either</em> matches, as in Vixie cron/POSIX: <c>0 0 13 * FRI</c> runs on every 13th and every Friday. With one
    /// of them <c>*</c> or <c>?</c>, only the other restricts. <c>H</c> (jitter) is not supported.
    /// </remarks>
    /// <param name="expression">The cron expression.</param>
    /// <param name="timeZone">An IANA time zone id (e.g. <c>Europe/Paris</c>); null or empty for UTC.</param>
    /// <exception cref="ArgumentException">
    /// The expression or the time zone is not valid; the message quotes the expression and names the field at fault, or
    /// says how many fields were expected, or that the macro is unknown.
    /// </exception>
    public static ReminderSchedule Cron(string expression, string? timeZone = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        var text = expression.Trim();
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var format = fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        CronExpression parsed;
        try
        {
            // The whole expression is parsed even when it is split below: its errors are reported as written.
            parsed = CronExpression.Parse(text, format);
        }
        catch (Exception e) when (e is CronFormatException or MissingSeedException)
        {
            throw new ArgumentException(Diagnose(text, fields, format, e), nameof(expression), e);
        }
        var zone = Zone(timeZone);
        // Cronos requires a day to match both day fields. For the OR rule: one expression per day field, the other
        // field '*', and the union of their occurrences. Macros (one field) and expressions with a '*' day field stay whole.
        var (dayOfMonth, dayOfWeek) = (fields.Length - 3, fields.Length - 1);
        if (fields.Length > 1 && Restricts(fields[dayOfMonth]) && Restricts(fields[dayOfWeek]))
        {
            var byDayOfMonth = CronExpression.Parse(WithStar(fields, dayOfWeek), format);
            var byDayOfWeek = CronExpression.Parse(WithStar(fields, dayOfMonth), format);
            return new ReminderSchedule(text, byDayOfMonth, byDayOfWeek, zone, period: null, DefaultCronHeartbeat);
        }
        return new ReminderSchedule(text, parsed, weekdays: null, zone, period: null, DefaultCronHeartbeat);
    }

    /// <summary>A period schedule: every <paramref name="period"/> after the last fire.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The period is not positive.</exception>
    public static ReminderSchedule Every(TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be positive.");
        }
        return new ReminderSchedule(cronText: null, cron: null, weekdays: null, TimeZoneInfo.Utc, period, period < DefaultCronHeartbeat ? period : DefaultCronHeartbeat);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null if there is none.</summary>
    /// <param name="after">The instant to search from.</param>
    /// <param name="lastFiredUtc">The anchor of a period schedule (ignored by cron); null anchors it at <paramref name="after"/>.</param>
    public DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset? lastFiredUtc = null)
    {
        if (cron is not null)
        {
            var next = cron.GetNextOccurrence(after.ToUniversalTime(), TimeZone, inclusive: false);
            var nextByWeekday = weekdays?.GetNextOccurrence(after.ToUniversalTime(), TimeZone, inclusive: false);
            return next is null || nextByWeekday < next ? nextByWeekday : next;
        }
        var period = Period!.Value;
        var anchor = lastFiredUtc ?? after;
        if (after < anchor)
        {
            return anchor;
        }
        var periods = (after - anchor).Ticks / period.Ticks + 1;
        return anchor + TimeSpan.FromTicks(periods * period.Ticks);
    }

    /// <summary>Decides whether a reminder tick at <paramref name="now"/> fires the schedule.</summary>
    /// <param name="lastFiredUtc">
    /// The <see cref="ScheduleCheck.LastFiredUtc"/> of the previous check, or the time the schedule was started if it
    /// never fired; null when nothing is known (then only the last <see cref="Tolerance"/> counts).
    /// </param>
    /// <param name="now">The time of the tick.</param>
    public ScheduleCheck Check(DateTimeOffset? lastFiredUtc, DateTimeOffset now)
    {
        var since = lastFiredUtc ?? now - Tolerance;
        if (MissedTicks == MissedTicks.FireEach)
        {
            // The oldest occurrence due, and the next check starts after it: one fire per check until caught up.
            var oldest = NextAfter(since, since);
            if (oldest is not { } due || due > now)
            {
                return new ScheduleCheck(false, null, 0, since, oldest);
            }
            return new ScheduleCheck(true, due, 0, due, NextAfter(due, due)) { Changed = true };
        }
        var (count, latest) = Due(since, now);
        if (latest is not { } occurrence)
        {
            return new ScheduleCheck(false, null, 0, since, NextAfter(Max(now, since), since));
        }
        var fire = MissedTicks == MissedTicks.FireOnce || now - occurrence <= Tolerance;
        return new ScheduleCheck(fire, fire ? occurrence : null, fire ? count - 1 : count, occurrence, NextAfter(now, occurrence))
        {
            Changed = true,
        };
    }

    /// <summary>As <see cref="Check(DateTimeOffset?, DateTimeOffset)"/>, reading now from <paramref name="clock"/>.</summary>
    public ScheduleCheck Check(DateTimeOffset? lastFiredUtc, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return Check(lastFiredUtc, clock.GetUtcNow());
    }

    /// <summary>
    /// The Orleans reminder to register for this schedule: first tick at the next occurrence, then every
    /// <see cref="Heartbeat"/>. Pass both to <c>this.RegisterOrUpdateReminder(name, dueTime, period)</c>.
    /// </summary>
    /// <param name="lastFiredUtc">As for <see cref="Check(DateTimeOffset?, DateTimeOffset)"/>.</param>
    /// <param name="now">The current time.</param>
    public (TimeSpan DueTime, TimeSpan Period) Registration(DateTimeOffset? lastFiredUtc, DateTimeOffset now)
    {
        var next = NextAfter(Max(now, lastFiredUtc ?? now), lastFiredUtc ?? now);
        var dueTime = next is { } n ? Max(n - now, TimeSpan.Zero) + AlignmentSlack : Heartbeat;
        return (dueTime, Heartbeat);
    }

    /// <summary>As <see cref="Registration(DateTimeOffset?, DateTimeOffset)"/>, reading now from <paramref name="clock"/>.</summary>
    public (TimeSpan DueTime, TimeSpan Period) Registration(DateTimeOffset? lastFiredUtc, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return Registration(lastFiredUtc, clock.GetUtcNow());
    }

    /// <inheritdoc/>
    public override string ToString()
        => (CronText is null ? $"every {Period}" : $"cron '{CronText}' in {TimeZone.Id}") + $", {MissedTicks}, heartbeat {Heartbeat}";

    /// <summary>How many occurrences are in (since, now] (counted up to <see cref="MaxCountedMissed"/> + 1) and the latest.</summary>
    private (int Count, DateTimeOffset? Latest) Due(DateTimeOffset since, DateTimeOffset now)
    {
        if (now <= since)
        {
            return (0, null);
        }
        if (cron is null)
        {
            var period = Period!.Value.Ticks;
            var periods = (now - since).Ticks / period;
            return periods == 0 ? (0, null) : ((int)Math.Min(periods, MaxCountedMissed + 1), since + TimeSpan.FromTicks(periods * period));
        }
        var count = 0;
        DateTimeOffset? latest = null;
        foreach (var occurrence in Occurrences(since, now))
        {
            count++;
            latest = occurrence;
            if (count > MaxCountedMissed)
            {
                return (count, LatestDense(since, now));
            }
        }
        return (count, latest);
    }

    // The latest occurrence in (since, now] of a schedule known to have very many there: search growing windows back from now.
    private DateTimeOffset? LatestDense(DateTimeOffset since, DateTimeOffset now)
    {
        for (var window = TimeSpan.FromMinutes(1); ; window *= 4)
        {
            var from = now - since > window ? now - window : since;
            DateTimeOffset? latest = null;
            foreach (var occurrence in Occurrences(from, now))
            {
                latest = occurrence;
            }
            if (latest is not null || from == since)
            {
                return latest;
            }
        }
    }

    // The occurrences of a cron schedule in (from, to], in order; with the day fields split, those of both halves, an
    // instant both produce (a day matching both fields) once.
    private IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from, DateTimeOffset to)
    {
        var byDayOfMonth = cron!.GetOccurrences(from.ToUniversalTime(), to.ToUniversalTime(), TimeZone, fromInclusive: false, toInclusive: true);
        return weekdays is null
            ? byDayOfMonth
            : Merge(byDayOfMonth, weekdays.GetOccurrences(from.ToUniversalTime(), to.ToUniversalTime(), TimeZone, fromInclusive: false, toInclusive: true));
    }

    // Two ascending sequences as one, without repeating an instant found in both.
    private static IEnumerable<DateTimeOffset> Merge(IEnumerable<DateTimeOffset> first, IEnumerable<DateTimeOffset> second)
    {
        using var a = first.GetEnumerator();
        using var b = second.GetEnumerator();
        var hasA = a.MoveNext();
        var hasB = b.MoveNext();
        while (hasA || hasB)
        {
            if (hasA && (!hasB || a.Current <= b.Current))
            {
                var current = a.Current;
                yield return current;
                hasA = a.MoveNext();
                if (hasB && b.Current == current)
                {
                    hasB = b.MoveNext();
                }
            }
            else
            {
                yield return b.Current;
                hasB = b.MoveNext();
            }
        }
    }

    // Whether a day field restricts the days: anything but '*' and '?' as written (a step such as '*/2' restricts).
    private static bool Restricts(string field) => field is not ("*" or "?");

    // The expression's fields with the one at index replaced by '*'.
    private static string WithStar(string[] fields, int index) => string.Join(' ', fields.Select((field, i) => i == index ? "*" : field));

    // Cronos' messages name a field in its own words ("Days of month"), leave out the value at fault, and for a wrong
    // number of fields or an unknown macro point at whichever character the parser stopped on. The message built here
    // says instead which field, which value and why.
    private static string Diagnose(string expression, string[] fields, CronFormat format, Exception rejection)
    {
        var subject = $"Cron expression '{expression}'";
        if (fields[0].StartsWith('@'))
        {
            return Macros.Contains(fields[0], StringComparer.OrdinalIgnoreCase)
                ? $"{subject}: the macro {fields[0]} stands alone, without other fields."
                : $"{subject}: unknown macro '{fields[0]}' (known: {string.Join(", ", Macros)}).";
        }
        if (fields.Length is not (5 or 6))
        {
            return $"{subject} has {fields.Length} fields; expected 5 (minute hour day-of-month month day-of-week), "
                + "6 (a second first) or a macro such as @hourly.";
        }
        var rules = fields.Length == 6 ? SecondFirstFields : StandardFields;
        for (var i = 0; i < fields.Length; i++)
        {
            // '*' is valid in every field, so with all the others '*' Cronos' verdict is on this field alone.
            var alone = string.Join(' ', fields.Select((field, j) => j == i ? field : "*"));
            try
            {
                CronExpression.Parse(alone, format);
            }
            catch (Exception e) when (e is CronFormatException or MissingSeedException)
            {
                var rule = rules[i];
                var fault = e is MissingSeedException ? "uses H (jitter), which is not supported"
                    : OutOfRange(rule, fields[i]) ? $"is out of range {rule.Low}-{rule.High}{rule.Names}"
                    : $"is not valid ({CronosReason(e)})";
                return $"{subject}: the {rule.Name} field '{fields[i]}' {fault}.";
            }
        }
        // Not expected (Cronos checks no field against another), but Cronos' reason is still better than none.
        return $"{subject} is not valid: {CronosReason(rejection)}.";
    }

    // Only the values of a list item and the bounds of its range have the field's range: a step and the offsets of L,
    // W and # have ranges of their own, and for them Cronos' reason is the clearer.
    private static bool OutOfRange(FieldRule rule, string field)
        => field.Split(',').Any(item => !item.StartsWith("L", StringComparison.OrdinalIgnoreCase)
            && item.Split('/')[0].Split('-').Any(bound =>
                int.TryParse(bound, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && (value < rule.Low || value > rule.High)));

    private static string CronosReason(Exception e)
        => (e.Message.StartsWith(CronosMessageStart, StringComparison.Ordinal) ? e.Message[CronosMessageStart.Length..] : e.Message).TrimEnd('.');

    private static TimeZoneInfo Zone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id is "UTC" or "Etc/UTC")
        {
            return TimeZoneInfo.Utc;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"Unknown time zone '{id}' (use an IANA id such as Europe/Paris).", nameof(id), e);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // The name a message gives a cron field and the values it takes.
    private readonly record struct FieldRule(string Name, int Low, int High, string Names = "");
}
