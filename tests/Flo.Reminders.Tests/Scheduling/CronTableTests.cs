using System.Globalization;

namespace Flo.Reminders.Tests.Scheduling;

/// <summary>
/// Tables of cron expressions and their next occurrences, each expected value worked out by hand from Cronos' documented
/// rules and, for the day fields, the day-of-month OR day-of-week rule (not printed by the code). A row's <c>next</c> lists successive occurrences: the first after <c>after</c>, each
/// following one after the one before it.
/// </summary>
[Trait("Category", "Reminders")]
public sealed class CronTableTests
{
    private const string Berlin = "Europe/Berlin";
    private const string NewYork = "America/New_York";

    // Berlin is CET (UTC+1) in winter, CEST (UTC+2) in summer. 2026-03-29 at 01:00Z clocks jump 02:00 CET -> 03:00 CEST
    // (local 02:00-02:59 does not exist); 2026-10-25 at 01:00Z they go back 03:00 CEST -> 02:00 CET (local 02:00-02:59
    // happens twice: 00:xxZ in CEST, then 01:xxZ in CET).
    // New York is EST (UTC-5) / EDT (UTC-4). 2026-03-08 at 07:00Z: 02:00 EST -> 03:00 EDT (no 02:xx); 2026-11-01 at
    // 06:00Z: 02:00 EDT -> 01:00 EST (01:xx twice: 05:xxZ in EDT, then 06:xxZ in EST).
    // Cronos: a time in a gap runs at the moment the clocks jump; in an overlap an expression whose second, minute and
    // hour fields are fixed values (lists included) runs once, in the first (daylight) half, and one with '*', a range
    // or a step in any of them runs in both halves.
    [Theory]
    // Berlin, spring gap.
    [InlineData(Berlin, "30 2 * * *", "2026-03-27T12:00Z", "2026-03-28T01:30Z 2026-03-29T01:00Z 2026-03-30T00:30Z")] // 02:30 CET, gap -> 03:00 CEST, 02:30 CEST
    [InlineData(Berlin, "0 2 * * *", "2026-03-28T12:00Z", "2026-03-29T01:00Z 2026-03-30T00:00Z")] // 02:00 is the first minute missing
    [InlineData(Berlin, "0 3 * * *", "2026-03-28T12:00Z", "2026-03-29T01:00Z 2026-03-30T01:00Z")] // 03:00 CEST exists: no change
    [InlineData(Berlin, "0 * * * *", "2026-03-28T23:30Z", "2026-03-29T00:00Z 2026-03-29T01:00Z 2026-03-29T02:00Z")] // 01:00 CET, 02:00 -> 03:00 CEST once, 04:00 CEST
    [InlineData(Berlin, "*/30 * * * *", "2026-03-29T00:15Z", "2026-03-29T00:30Z 2026-03-29T01:00Z 2026-03-29T01:30Z")] // 02:00 and 02:30 both fold into one 03:00 run
    [InlineData(Berlin, "30 * * * *", "2026-03-29T00:00Z", "2026-03-29T00:30Z 2026-03-29T01:00Z 2026-03-29T01:30Z")] // 01:30 CET, 02:30 -> 03:00 CEST, 03:30 CEST
    // Berlin, autumn overlap.
    [InlineData(Berlin, "30 2 * * *", "2026-10-24T12:00Z", "2026-10-25T00:30Z 2026-10-26T01:30Z")] // 02:30 CEST only; the 02:30 CET at 01:30Z is not run
    [InlineData(Berlin, "30 2 * * *", "2026-10-25T01:00Z", "2026-10-26T01:30Z")] // from inside the repeated hour: still not run
    [InlineData(Berlin, "30 1 * * *", "2026-10-24T12:00Z", "2026-10-24T23:30Z 2026-10-26T00:30Z")] // 01:30 is not repeated in Berlin: 01:30 CEST, 01:30 CET
    [InlineData(Berlin, "0 * * * *", "2026-10-24T23:30Z", "2026-10-25T00:00Z 2026-10-25T01:00Z 2026-10-25T02:00Z")] // 02:00 CEST, 02:00 CET, 03:00 CET
    [InlineData(Berlin, "*/30 * * * *", "2026-10-25T00:15Z", "2026-10-25T00:30Z 2026-10-25T01:00Z 2026-10-25T01:30Z 2026-10-25T02:00Z")]
    // New York, spring gap ("30 2 * * *" is in ReminderScheduleTests).
    [InlineData(NewYork, "0 2 * * *", "2026-03-07T12:00Z", "2026-03-08T07:00Z 2026-03-09T06:00Z")] // 02:00 -> 03:00 EDT, then 02:00 EDT
    [InlineData(NewYork, "0 * * * *", "2026-03-08T05:30Z", "2026-03-08T06:00Z 2026-03-08T07:00Z 2026-03-08T08:00Z")] // 01:00 EST, 02:00 -> 03:00 EDT once, 04:00 EDT
    [InlineData(NewYork, "*/30 * * * *", "2026-03-08T06:15Z", "2026-03-08T06:30Z 2026-03-08T07:00Z 2026-03-08T07:30Z")] // 01:30 EST, 03:00 EDT, 03:30 EDT
    // New York, autumn overlap.
    [InlineData(NewYork, "30 1 * * *", "2026-10-31T12:00Z", "2026-11-01T05:30Z 2026-11-02T06:30Z")] // 01:30 EDT only, then 01:30 EST next day
    [InlineData(NewYork, "30 1 * * *", "2026-11-01T06:00Z", "2026-11-02T06:30Z")] // from inside the repeated hour: 01:30 EST is not run
    [InlineData(NewYork, "0,30 1 * * *", "2026-11-01T04:30Z", "2026-11-01T05:00Z 2026-11-01T05:30Z 2026-11-02T06:00Z")] // a list is not an interval: once
    [InlineData(NewYork, "30 2 * * *", "2026-10-31T12:00Z", "2026-11-01T07:30Z 2026-11-02T07:30Z")] // 02:30 is not repeated in New York: 02:30 EST
    [InlineData(NewYork, "0 * * * *", "2026-11-01T04:30Z", "2026-11-01T05:00Z 2026-11-01T06:00Z 2026-11-01T07:00Z")] // 01:00 EDT, 01:00 EST, 02:00 EST
    [InlineData(NewYork, "*/30 * * * *", "2026-11-01T05:15Z", "2026-11-01T05:30Z 2026-11-01T06:00Z 2026-11-01T06:30Z 2026-11-01T07:00Z")]
    [InlineData(NewYork, "*/20 1 * * *", "2026-11-01T04:30Z", "2026-11-01T05:00Z 2026-11-01T05:20Z 2026-11-01T05:40Z 2026-11-01T06:00Z 2026-11-01T06:20Z 2026-11-01T06:40Z 2026-11-02T06:00Z")] // a minute step: both halves
    public void DaylightSavingTransitions(string zone, string cron, string after, string next)
        => AssertNext(ReminderSchedule.Cron(cron, zone), after, next);

    // What a heartbeat check sees over a window spanning a transition: every occurrence in (since, now] is counted
    // (FireOnce fires the latest and counts the others as missed), so the tables above hold for Check too.
    [Theory]
    [InlineData(Berlin, "0 * * * *", "2026-03-28T23:00Z", "2026-03-29T03:00Z", 4, "2026-03-29T03:00Z")] // 4 real hours, local 00:00 CET -> 05:00 CEST
    [InlineData(Berlin, "*/30 * * * *", "2026-10-24T23:00Z", "2026-10-25T02:00Z", 6, "2026-10-25T02:00Z")]
    [InlineData(Berlin, "30 2 * * *", "2026-10-24T22:00Z", "2026-10-25T03:00Z", 1, "2026-10-25T00:30Z")]
    [InlineData(NewYork, "0 * * * *", "2026-11-01T04:00Z", "2026-11-01T08:00Z", 4, "2026-11-01T08:00Z")] // 01:00 EDT, 01:00 EST, 02:00, 03:00 EST
    [InlineData(NewYork, "30 2 * * *", "2026-03-08T06:00Z", "2026-03-08T09:00Z", 1, "2026-03-08T07:00Z")]
    public void ChecksAcrossATransitionCountEachOccurrence(string zone, string cron, string since, string now, int due, string latest)
    {
        var check = ReminderSchedule.Cron(cron, zone).Check(Utc(since), Utc(now));
        Assert.True(check.Fire);
        Assert.Equal(Utc(latest), check.Occurrence);
        Assert.Equal(due - 1, check.Missed);
    }

    [Theory]
    [InlineData("@hourly", null, "2026-01-01T10:00Z", "2026-01-01T11:00Z 2026-01-01T12:00Z")] // strictly after: 10:00 itself is not next
    [InlineData("@daily", null, "2026-12-31T23:59:59Z", "2027-01-01T00:00Z 2027-01-02T00:00Z")]
    [InlineData("@daily", Berlin, "2026-03-28T12:00Z", "2026-03-28T23:00Z 2026-03-29T22:00Z")] // local midnight, CET then CEST
    [InlineData("@midnight", NewYork, "2026-11-01T03:00Z", "2026-11-01T04:00Z 2026-11-02T05:00Z")] // midnight EDT, then EST
    [InlineData("@Daily", null, "2026-01-01T10:00Z", "2026-01-02T00:00Z")] // macros ignore case
    [InlineData("@weekly", null, "2026-01-01T00:00Z", "2026-01-04T00:00Z 2026-01-11T00:00Z")] // 2026-01-01 is a Thursday: Sundays
    [InlineData("@weekly", null, "2026-01-04T00:00Z", "2026-01-11T00:00Z")]
    [InlineData("@monthly", null, "2026-01-15T12:00Z", "2026-02-01T00:00Z 2026-03-01T00:00Z")]
    [InlineData("@monthly", NewYork, "2026-01-15T12:00Z", "2026-02-01T05:00Z 2026-03-01T05:00Z 2026-04-01T04:00Z")] // EST, EST, EDT
    [InlineData("@yearly", null, "2026-01-01T00:00Z", "2027-01-01T00:00Z 2028-01-01T00:00Z")]
    [InlineData("@annually", null, "2026-06-15T00:00Z", "2027-01-01T00:00Z")]
    [InlineData("@annually", Berlin, "2026-06-15T00:00Z", "2026-12-31T23:00Z")]
    [InlineData("@every_second", null, "2026-01-01T10:00:00.5Z", "2026-01-01T10:00:01Z 2026-01-01T10:00:02Z")]
    public void Macros(string cron, string? zone, string after, string next)
        => AssertNext(ReminderSchedule.Cron(cron, zone), after, next);

    [Theory]
    // Seconds (6 fields).
    [InlineData("*/15 * * * * *", "2026-01-01T10:00:45Z", "2026-01-01T10:01:00Z 2026-01-01T10:01:15Z")]
    [InlineData("*/15 * * * * *", "2026-12-31T23:59:50Z", "2027-01-01T00:00:00Z")]
    [InlineData("*/15 30 9 * * *", "2026-01-01T09:30:45Z", "2026-01-02T09:30:00Z 2026-01-02T09:30:15Z")]
    [InlineData("10-20/5 * * * * *", "2026-01-01T10:00:20Z", "2026-01-01T10:01:10Z 2026-01-01T10:01:15Z")]
    // Names, lists, ranges, steps.
    [InlineData("0 9 * JAN-MAR MON,WED", "2026-01-01T00:00Z", "2026-01-05T09:00Z 2026-01-07T09:00Z 2026-01-12T09:00Z")]
    [InlineData("0 9 * JAN-MAR MON,WED", "2026-03-31T00:00Z", "2027-01-04T09:00Z")] // no Monday or Wednesday left in March
    [InlineData("0 9 * jan-mar mon,wed", "2026-01-01T00:00Z", "2026-01-05T09:00Z")] // names ignore case
    [InlineData("0 0 1-7 * *", "2026-01-06T12:00Z", "2026-01-07T00:00Z 2026-02-01T00:00Z 2026-02-02T00:00Z")]
    [InlineData("15,45 */2 * * *", "2026-01-01T00:15Z", "2026-01-01T00:45Z 2026-01-01T02:15Z 2026-01-01T02:45Z")]
    [InlineData("15,45 */2 * * *", "2026-01-01T23:00Z", "2026-01-02T00:15Z")]
    [InlineData("0 9-17/4 * * *", "2026-01-01T09:00Z", "2026-01-01T13:00Z 2026-01-01T17:00Z 2026-01-02T09:00Z")]
    [InlineData("0 23-1 * * *", "2026-01-01T22:00Z", "2026-01-01T23:00Z 2026-01-02T00:00Z 2026-01-02T01:00Z 2026-01-02T23:00Z")] // a reversed range wraps
    [InlineData("0 0 1 */3 *", "2026-01-01T00:00Z", "2026-04-01T00:00Z 2026-07-01T00:00Z 2026-10-01T00:00Z 2027-01-01T00:00Z")]
    [InlineData("0 12 * * MON-FRI", "2026-01-02T12:00Z", "2026-01-05T12:00Z")] // Friday -> Monday
    [InlineData("0 0 * * 7", "2026-01-01T00:00Z", "2026-01-04T00:00Z")] // 7 is Sunday, as 0 is
    [InlineData("0 0 31 * *", "2026-01-31T00:00Z", "2026-03-31T00:00Z 2026-05-31T00:00Z")] // months without a 31st are skipped
    [InlineData("0 0 L * *", "2026-02-01T00:00Z", "2026-02-28T00:00Z 2026-03-31T00:00Z")] // the last day of the month
    public void FieldSyntax(string cron, string after, string next)
        => AssertNext(ReminderSchedule.Cron(cron), after, next);

    // When both day fields are restricted (neither '*' nor '?'), a day matches when either does (Vixie cron/POSIX).
    // January 2026 starts on a Thursday: its Fridays are the 2nd, 9th, 16th, 23rd, 30th, its Mondays the 5th, 12th, 19th,
    // 26th, and the 13th is a Tuesday. February starts on a Sunday: Fridays 6, 13, 20, 27; Mondays 2, 9, 16, 23; its 15th
    // is a Sunday. March starts on a Sunday: Fridays 6, 13, 20, 27; Monday 2; its 15th is a Sunday. April starts on a
    // Wednesday: Fridays 3, 10, 17; the 13th is a Monday.
    [Theory]
    [InlineData("0 0 13 * FRI", "2026-01-01T00:00Z", "2026-01-02T00:00Z 2026-01-09T00:00Z 2026-01-13T00:00Z 2026-01-16T00:00Z")] // Fridays and the 13th (a Tuesday)
    [InlineData("0 0 13 * FRI", "2026-01-23T00:00Z", "2026-01-30T00:00Z 2026-02-06T00:00Z 2026-02-13T00:00Z 2026-02-20T00:00Z")] // into February; Friday the 13th once
    [InlineData("0 0 13 * 5", "2026-01-09T00:00Z", "2026-01-13T00:00Z 2026-01-16T00:00Z")] // a number as the day of week
    // The "first Monday" idiom of AND-rule crons does not work here: under OR "0 0 1-7 * MON" is days 1 to 7 AND every
    // Monday (for the first Monday use MON#1).
    [InlineData("0 0 1-7 * MON", "2026-01-01T00:00Z", "2026-01-02T00:00Z 2026-01-03T00:00Z 2026-01-04T00:00Z 2026-01-05T00:00Z 2026-01-06T00:00Z 2026-01-07T00:00Z 2026-01-12T00:00Z")]
    [InlineData("0 0 1-7 * MON", "2026-01-20T00:00Z", "2026-01-26T00:00Z 2026-02-01T00:00Z 2026-02-02T00:00Z 2026-02-03T00:00Z")] // Feb 2 is a Monday and the 2nd: once
    [InlineData("0 0 * * MON#1", "2026-01-01T00:00Z", "2026-01-05T00:00Z 2026-02-02T00:00Z 2026-03-02T00:00Z")] // the first Monday of the month
    [InlineData("0 0 1 * MON", "2026-01-20T00:00Z", "2026-01-26T00:00Z 2026-02-01T00:00Z 2026-02-02T00:00Z 2026-02-09T00:00Z")] // Feb 1 is a Sunday
    // Special forms stay in their field: L (last day of the month) or 5L (last Friday); 15W (the weekday nearest the
    // 15th: Jan 15 is a Thursday, Feb 15 and Mar 15 Sundays, so Mondays 16) or MON#1 (the first Monday).
    [InlineData("0 0 L * 5L", "2026-01-01T00:00Z", "2026-01-30T00:00Z 2026-01-31T00:00Z 2026-02-27T00:00Z 2026-02-28T00:00Z 2026-03-27T00:00Z 2026-03-31T00:00Z")]
    [InlineData("0 0 15W * MON#1", "2026-01-01T00:00Z", "2026-01-05T00:00Z 2026-01-15T00:00Z 2026-02-02T00:00Z 2026-02-16T00:00Z 2026-03-02T00:00Z 2026-03-16T00:00Z")]
    // Seconds: both halves keep the seconds field (Jan 13 is the 13th, Jan 16 a Friday).
    [InlineData("0,30 0 0 13 * FRI", "2026-01-12T12:00Z", "2026-01-13T00:00:00Z 2026-01-13T00:00:30Z 2026-01-16T00:00:00Z 2026-01-16T00:00:30Z")]
    // The days are local days: midnight in Berlin is 23:00Z the day before (CET).
    [InlineData("0 0 13 * FRI", "2026-01-01T00:00Z", "2026-01-01T23:00Z 2026-01-08T23:00Z 2026-01-12T23:00Z 2026-01-15T23:00Z", Berlin)]
    // New York across its spring change (2026-03-08): 09:00 EST is 14:00Z, 09:00 EDT 13:00Z; Apr 13 is a Monday.
    [InlineData("0 9 13 * FRI", "2026-03-05T00:00Z", "2026-03-06T14:00Z 2026-03-13T13:00Z 2026-03-20T13:00Z 2026-03-27T13:00Z 2026-04-03T13:00Z 2026-04-10T13:00Z 2026-04-13T13:00Z 2026-04-17T13:00Z", NewYork)]
    // A month restricts both halves: 13ths and Fridays of February only.
    [InlineData("0 0 13 FEB FRI", "2026-01-01T00:00Z", "2026-02-06T00:00Z 2026-02-13T00:00Z 2026-02-20T00:00Z 2026-02-27T00:00Z 2027-02-05T00:00Z")]
    // One of them '*' (or '?'): only the other restricts.
    [InlineData("0 0 13 * *", "2026-01-01T00:00Z", "2026-01-13T00:00Z 2026-02-13T00:00Z")]
    [InlineData("0 0 * * FRI", "2026-01-01T00:00Z", "2026-01-02T00:00Z 2026-01-09T00:00Z 2026-01-16T00:00Z")]
    [InlineData("0 0 ? * FRI", "2026-01-01T00:00Z", "2026-01-02T00:00Z 2026-01-09T00:00Z")]
    [InlineData("0 0 13 * ?", "2026-01-01T00:00Z", "2026-01-13T00:00Z 2026-02-13T00:00Z")]
    [InlineData("0 0 L * *", "2026-01-01T00:00Z", "2026-01-31T00:00Z 2026-02-28T00:00Z")]
    public void DayOfMonthOrDayOfWeek(string cron, string after, string next, string? zone = null)
        => AssertNext(ReminderSchedule.Cron(cron, zone), after, next);

    // A check counts every day either field matches, and a day both match once.
    [Theory]
    [InlineData("0 0 13 * FRI", null, "2026-01-01T00:00Z", "2026-02-01T00:00Z", 6, "2026-01-30T00:00Z")] // Jan 2, 9, 13, 16, 23, 30
    [InlineData("0 0 13 * FRI", null, "2026-02-01T00:00Z", "2026-02-28T00:00Z", 4, "2026-02-27T00:00Z")] // Feb 6, 13 (both), 20, 27
    [InlineData("0 0 1-7 * MON", null, "2026-01-31T00:00Z", "2026-03-01T00:00Z", 11, "2026-03-01T00:00Z")] // Feb 1-7 (Mon 2 once), Mon 9, 16, 23, Mar 1
    [InlineData("0 0 13 * FRI", Berlin, "2026-01-12T00:00Z", "2026-01-16T00:00Z", 2, "2026-01-15T23:00Z")] // Jan 13 and Fri 16, local midnight
    // 2026-11-01 in New York is the 1st, a Sunday and the day 01:xx happens twice: each half-hour of both halves once.
    [InlineData("*/30 1 1 * SUN", NewYork, "2026-11-01T04:00Z", "2026-11-01T07:00Z", 4, "2026-11-01T06:30Z")] // 05:00, 05:30 EDT, 06:00, 06:30 EST
    // Every minute of Jan 2, 9, 13, 16, 23, 30 and Feb 6, 13, 20, 27: 14,400, counted up to the limit; the latest is found anyway.
    [InlineData("* * 13 * FRI", null, "2026-01-01T00:00Z", "2026-03-01T00:00Z", ReminderSchedule.MaxCountedMissed + 1, "2026-02-27T23:59Z")]
    public void ChecksCountTheDaysEitherFieldMatchesOnce(string cron, string? zone, string since, string now, int due, string latest)
    {
        var check = ReminderSchedule.Cron(cron, zone).Check(Utc(since), Utc(now));
        Assert.True(check.Fire);
        Assert.Equal(Utc(latest), check.Occurrence);
        Assert.Equal(due - 1, check.Missed);
    }

    [Theory]
    [InlineData("61 * * * *", "the minute field '61' is out of range 0-59")]
    [InlineData("0 25 * * *", "the hour field '25' is out of range 0-23")]
    [InlineData("0 0 32 * *", "the day of month field '32' is out of range 1-31")]
    [InlineData("0 0 0 * *", "the day of month field '0' is out of range 1-31")]
    [InlineData("0 0 * 13 *", "the month field '13' is out of range 1-12 or JAN-DEC")]
    [InlineData("0 0 * * 8", "the day of week field '8' is out of range 0-7 or SUN-SAT")]
    [InlineData("60 * * * * *", "the second field '60' is out of range 0-59")]
    [InlineData("0 0 0 * * 8", "the day of week field '8' is out of range 0-7")] // 6 fields: the fields shift right
    [InlineData("5-70 * * * *", "the minute field '5-70' is out of range 0-59")]
    [InlineData("0 0,24 * * *", "the hour field '0,24' is out of range 0-23")]
    [InlineData("61 25 * * *", "the minute field '61'")] // the first field at fault
    [InlineData("*/0 * * * *", "the minute field '*/0' is not valid")]
    [InlineData("0 0 * JAN-FOO *", "the month field 'JAN-FOO' is not valid")]
    [InlineData("0 0 * * 5#6", "the day of week field '5#6' is not valid")]
    [InlineData("0 0 15W-2 * *", "the day of month field '15W-2' is not valid")]
    [InlineData("H * * * *", "the minute field 'H' uses H (jitter), which is not supported")]
    [InlineData("* * *", "has 3 fields; expected 5")]
    [InlineData("0 0 0 1 1 * 2026", "has 7 fields; expected 5")]
    [InlineData("@fortnightly", "unknown macro '@fortnightly'")]
    [InlineData("@daily 0", "the macro @daily stands alone")]
    public void InvalidExpressionsNameTheFieldAtFault(string cron, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => ReminderSchedule.Cron(cron));
        Assert.Equal("expression", e.ParamName);
        Assert.Contains($"Cron expression '{cron}'", e.Message);
        Assert.Contains(reason, e.Message);
    }

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static void AssertNext(ReminderSchedule schedule, string after, string next)
    {
        var from = Utc(after);
        var expected = next.Split(' ').Select(Utc).ToArray();
        var actual = new DateTimeOffset?[expected.Length];
        for (var i = 0; i < expected.Length; i++)
        {
            actual[i] = schedule.NextAfter(from);
            from = actual[i] ?? DateTimeOffset.MaxValue;
        }
        // The whole sequence at once, so a failure shows every value.
        Assert.Equal(expected.Select(e => (DateTimeOffset?)e), actual);
    }
}
