using Flo.Reminders.Tests.Infrastructure;

namespace Flo.Reminders.Tests.Scheduling;

[Trait("Category", "Reminders")]
public sealed class ReminderScheduleTests
{
    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void CronOccurrencesFollowTheTimeZoneAcrossADaylightSavingGap()
    {
        // 02:30 every day in New York. On 2026-03-08 clocks jump from 02:00 to 03:00: that day's run is at 03:00 EDT.
        var schedule = ReminderSchedule.Cron("30 2 * * *", "America/New_York");
        var first = schedule.NextAfter(Utc("2026-03-07T12:00:00Z"));
        Assert.Equal(Utc("2026-03-08T07:00:00Z"), first);
        Assert.Equal(Utc("2026-03-09T06:30:00Z"), schedule.NextAfter(first!.Value));
        Assert.Equal(Utc("2026-03-07T07:30:00Z"), schedule.NextAfter(Utc("2026-03-07T00:00:00Z"))); // EST, UTC-5
    }

    [Fact]
    public void CronInAnOverlapRunsOnce()
    {
        // 01:30 in New York on 2026-11-01 happens twice (clocks go back from 02:00 EDT to 01:00 EST): one run.
        var schedule = ReminderSchedule.Cron("30 1 * * *", "America/New_York");
        var check = schedule.Check(Utc("2026-11-01T04:00:00Z"), Utc("2026-11-01T08:00:00Z"));
        Assert.True(check.Fire);
        Assert.Equal(Utc("2026-11-01T05:30:00Z"), check.Occurrence);
        Assert.Equal(0, check.Missed);
    }

    [Fact]
    public void CronIsUtcByDefault()
    {
        var schedule = ReminderSchedule.Cron("0 9 * * 1-5");
        Assert.Equal(TimeZoneInfo.Utc, schedule.TimeZone);
        Assert.Equal(Utc("2026-01-05T09:00:00Z"), schedule.NextAfter(Utc("2026-01-03T10:00:00Z"))); // Saturday -> Monday
    }

    [Fact]
    public void ASixthFieldIsSeconds()
    {
        var schedule = ReminderSchedule.Cron("*/15 * * * * *");
        Assert.Equal(Utc("2026-01-01T10:00:15Z"), schedule.NextAfter(Utc("2026-01-01T10:00:07Z")));
        Assert.Equal(Utc("2026-01-01T10:00:30Z"), schedule.NextAfter(Utc("2026-01-01T10:00:15Z")));
    }

    [Theory]
    [InlineData("@hourly", "2026-01-01T10:20:00Z", "2026-01-01T11:00:00Z")]
    [InlineData("@daily", "2026-01-01T10:20:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("@every_minute", "2026-01-01T10:20:30Z", "2026-01-01T10:21:00Z")]
    public void MacrosAreUnderstood(string cron, string after, string expected)
        => Assert.Equal(Utc(expected), ReminderSchedule.Cron(cron).NextAfter(Utc(after)));

    [Fact]
    public void BadExpressionsAndZonesAreRejectedWithTheReason()
    {
        var cron = Assert.Throws<ArgumentException>(() => ReminderSchedule.Cron("61 * * * *"));
        Assert.Contains("61 * * * *", cron.Message);
        var zone = Assert.Throws<ArgumentException>(() => ReminderSchedule.Cron("0 * * * *", "Mars/Olympus_Mons"));
        Assert.Contains("Mars/Olympus_Mons", zone.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReminderSchedule.Every(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReminderSchedule.Every(TimeSpan.FromMinutes(1)) with { Heartbeat = TimeSpan.Zero });
    }

    [Fact]
    public void PeriodOccurrencesAreAnchoredOnTheLastFire()
    {
        var schedule = ReminderSchedule.Every(TimeSpan.FromMinutes(5));
        var last = Utc("2026-01-01T10:00:00Z");
        Assert.Equal(Utc("2026-01-01T10:05:00Z"), schedule.NextAfter(Utc("2026-01-01T10:01:00Z"), last));
        Assert.Equal(Utc("2026-01-01T10:10:00Z"), schedule.NextAfter(Utc("2026-01-01T10:05:00Z"), last));
        Assert.Equal(TimeSpan.FromMinutes(1), schedule.Heartbeat); // at most Orleans' default minimum period
        Assert.Equal(TimeSpan.FromSeconds(10), ReminderSchedule.Every(TimeSpan.FromSeconds(10)).Heartbeat);
    }

    [Fact]
    public void AHeartbeatFiresAnOccurrenceOnceAndThenWaitsForTheNext()
    {
        var schedule = ReminderSchedule.Cron("0 * * * *");
        var clock = new ManualTimeProvider(Utc("2026-01-01T10:00:20Z"));

        var check = schedule.Check(Utc("2026-01-01T09:00:00Z"), clock);
        Assert.True(check.Fire);
        Assert.True(check.Changed);
        Assert.Equal(Utc("2026-01-01T10:00:00Z"), check.Occurrence);
        Assert.Equal(0, check.Missed);
        Assert.Equal(Utc("2026-01-01T10:00:00Z"), check.LastFiredUtc);
        Assert.Equal(Utc("2026-01-01T11:00:00Z"), check.NextDueUtc);

        clock.Advance(TimeSpan.FromMinutes(1));
        var next = schedule.Check(check.LastFiredUtc, clock);
        Assert.False(next.Fire);
        Assert.False(next.Changed);
        Assert.Equal(check.LastFiredUtc, next.LastFiredUtc);
        Assert.Equal(Utc("2026-01-01T11:00:00Z"), next.NextDueUtc);
    }

    [Fact]
    public void AfterDowntimeFireOnceFiresOnceForAllTheOccurrencesMissed()
    {
        var schedule = ReminderSchedule.Cron("0 * * * *"); // FireOnce is the default
        var check = schedule.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T14:10:00Z"));
        Assert.True(check.Fire);
        Assert.Equal(Utc("2026-01-01T14:00:00Z"), check.Occurrence);
        Assert.Equal(3, check.Missed); // 11:00, 12:00 and 13:00 coalesced into the 14:00 run
        Assert.Equal(Utc("2026-01-01T14:00:00Z"), check.LastFiredUtc);
        Assert.Equal(Utc("2026-01-01T15:00:00Z"), check.NextDueUtc);

        Assert.False(schedule.Check(check.LastFiredUtc, Utc("2026-01-01T14:11:00Z")).Fire);
    }

    [Fact]
    public void AfterDowntimeSkipFiresNoneAndWaitsForTheNextOccurrence()
    {
        var schedule = ReminderSchedule.Cron("0 * * * *") with { MissedTicks = MissedTicks.Skip };
        var check = schedule.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T14:10:00Z"));
        Assert.False(check.Fire);
        Assert.Null(check.Occurrence);
        Assert.Equal(4, check.Missed);
        Assert.True(check.Changed);
        Assert.Equal(Utc("2026-01-01T14:00:00Z"), check.LastFiredUtc);
        Assert.Equal(Utc("2026-01-01T15:00:00Z"), check.NextDueUtc);

        var next = schedule.Check(check.LastFiredUtc, Utc("2026-01-01T15:00:30Z"));
        Assert.True(next.Fire);
        Assert.Equal(Utc("2026-01-01T15:00:00Z"), next.Occurrence);
        Assert.Equal(0, next.Missed);
    }

    [Fact]
    public void SkipStillFiresTheLatestOccurrenceWhenItIsOnTime()
    {
        var schedule = ReminderSchedule.Cron("0 * * * *") with { MissedTicks = MissedTicks.Skip };
        Assert.Equal(TimeSpan.FromMinutes(2), schedule.Tolerance);
        var check = schedule.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T14:01:00Z"));
        Assert.True(check.Fire);
        Assert.Equal(Utc("2026-01-01T14:00:00Z"), check.Occurrence);
        Assert.Equal(3, check.Missed);

        var strict = schedule with { Tolerance = TimeSpan.FromSeconds(30) };
        Assert.False(strict.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T14:01:00Z")).Fire);
    }

    [Fact]
    public void AfterDowntimeFireEachFiresEveryOccurrenceMissedOldestFirst()
    {
        var schedule = ReminderSchedule.Cron("0 * * * *") with { MissedTicks = MissedTicks.FireEach };
        var fired = new List<DateTimeOffset>();
        var since = Utc("2026-01-01T10:00:00Z");
        var now = Utc("2026-01-01T14:10:00Z");
        while (schedule.Check(since, now) is { Fire: true } check)
        {
            Assert.Equal((0, check.Occurrence!.Value, true), (check.Missed, check.LastFiredUtc, check.Changed));
            Assert.Equal(check.Occurrence.Value.AddHours(1), check.NextDueUtc);
            fired.Add(check.Occurrence.Value);
            since = check.LastFiredUtc;
        }
        Assert.Equal([Utc("2026-01-01T11:00:00Z"), Utc("2026-01-01T12:00:00Z"), Utc("2026-01-01T13:00:00Z"), Utc("2026-01-01T14:00:00Z")], fired);
        var caughtUp = schedule.Check(since, now);
        Assert.Equal((false, 0, false, Utc("2026-01-01T15:00:00Z")), (caughtUp.Fire, caughtUp.Missed, caughtUp.Changed, caughtUp.NextDueUtc));

        // A period keeps its phase: 10:10, 10:20, 10:30, then nothing until 10:40.
        var every = ReminderSchedule.Every(TimeSpan.FromMinutes(10)) with { MissedTicks = MissedTicks.FireEach };
        var first = every.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T10:35:00Z"));
        Assert.Equal((true, Utc("2026-01-01T10:10:00Z"), Utc("2026-01-01T10:20:00Z")), (first.Fire, first.Occurrence!.Value, first.NextDueUtc!.Value));
        var third = every.Check(Utc("2026-01-01T10:20:00Z"), Utc("2026-01-01T10:35:00Z"));
        Assert.Equal(Utc("2026-01-01T10:30:00Z"), third.Occurrence);
        Assert.False(every.Check(Utc("2026-01-01T10:30:00Z"), Utc("2026-01-01T10:35:00Z")).Fire);
    }

    [Fact]
    public void PeriodMissedTicksKeepThePhase()
    {
        var fireOnce = ReminderSchedule.Every(TimeSpan.FromMinutes(10)) with { Heartbeat = TimeSpan.FromMinutes(1) };
        var check = fireOnce.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T10:35:00Z"));
        Assert.True(check.Fire);
        Assert.Equal(Utc("2026-01-01T10:30:00Z"), check.Occurrence);
        Assert.Equal(2, check.Missed);
        Assert.Equal(Utc("2026-01-01T10:30:00Z"), check.LastFiredUtc);
        Assert.Equal(Utc("2026-01-01T10:40:00Z"), check.NextDueUtc);

        var skip = fireOnce with { MissedTicks = MissedTicks.Skip };
        var skipped = skip.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T10:35:00Z"));
        Assert.False(skipped.Fire);
        Assert.Equal(3, skipped.Missed);
        Assert.Equal(Utc("2026-01-01T10:30:00Z"), skipped.LastFiredUtc);
        Assert.True(skip.Check(Utc("2026-01-01T10:00:00Z"), Utc("2026-01-01T10:31:00Z")).Fire);
    }

    [Fact]
    public void OccurrencesBeforeTheScheduleStartedAreNeverDue()
    {
        var schedule = ReminderSchedule.Cron("0 * * * *");
        // Started at 10:30: the 10:00 occurrence is not due at 10:59, 11:00 is at 11:00.
        Assert.False(schedule.Check(Utc("2026-01-01T10:30:00Z"), Utc("2026-01-01T10:59:00Z")).Fire);
        Assert.True(schedule.Check(Utc("2026-01-01T10:30:00Z"), Utc("2026-01-01T11:00:00Z")).Fire);
        // Nothing known: only the last Tolerance (2 heartbeats) counts.
        Assert.True(schedule.Check(null, Utc("2026-01-01T11:00:30Z")).Fire);
        Assert.False(schedule.Check(null, Utc("2026-01-01T11:05:00Z")).Fire);
    }

    [Fact]
    public void AVeryLongDowntimeOfADenseScheduleIsCountedUpToALimit()
    {
        var schedule = ReminderSchedule.Cron("* * * * * *");
        var check = schedule.Check(Utc("2026-01-01T00:00:00Z"), Utc("2026-01-02T00:00:00.500Z"));
        Assert.True(check.Fire);
        Assert.Equal(Utc("2026-01-02T00:00:00Z"), check.Occurrence);
        Assert.Equal(ReminderSchedule.MaxCountedMissed, check.Missed);
    }

    [Fact]
    public void TheRegistrationTicksAtTheNextOccurrenceThenEveryHeartbeat()
    {
        var clock = new ManualTimeProvider(Utc("2026-01-01T10:20:00Z"));
        var (due, period) = ReminderSchedule.Cron("@hourly").Registration(null, clock);
        Assert.InRange(due, TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(40) + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMinutes(1), period);

        var every = ReminderSchedule.Every(TimeSpan.FromMinutes(5)) with { Heartbeat = TimeSpan.FromMinutes(2) };
        (due, period) = every.Registration(Utc("2026-01-01T10:18:00Z"), clock);
        Assert.InRange(due, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMinutes(2), period);
    }
}
