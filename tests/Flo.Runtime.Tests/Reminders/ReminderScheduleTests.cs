using Flo.Runtime.Reminders;

namespace Flo.Runtime.Tests.Reminders;

[Trait("Category", "Reminders")]
public sealed class ReminderScheduleTests
{
    private static readonly GrainId Grain = new("g", "k");

    [Fact]
    public void PeriodTicksFollowTheStartTime()
    {
        var e = new ReminderEntry { GrainId = Grain, Name = "r", StartAtMs = 1_000, PeriodMs = 100 };
        Assert.Equal(1_000, ReminderSchedule.NextAfter(e, 0));
        Assert.Equal(1_100, ReminderSchedule.NextAfter(e, 1_000));
        Assert.Equal(1_500, ReminderSchedule.NextAfter(e, 1_450));
        Assert.Equal(0, ReminderSchedule.MissedAfter(e, 1_000, 1_050));
        Assert.Equal(4, ReminderSchedule.MissedAfter(e, 1_000, 1_450));
    }

    [Fact]
    public void CronTicksRespectTheTimeZoneAcrossADaylightSavingChange()
    {
        // 02:30 every day in New York: on 2026-03-08 clocks jump from 02:00 to 03:00, so that day's tick moves.
        var e = new ReminderEntry { GrainId = Grain, Name = "r", Cron = "30 2 * * *", TimeZone = "America/New_York" };
        var before = DateTimeOffset.Parse("2026-03-07T12:00:00Z").ToUnixTimeMilliseconds();
        var first = DateTimeOffset.FromUnixTimeMilliseconds(ReminderSchedule.NextAfter(e, before));
        Assert.Equal(DateTimeOffset.Parse("2026-03-08T07:00:00Z"), first);
        var second = DateTimeOffset.FromUnixTimeMilliseconds(ReminderSchedule.NextAfter(e, first.ToUnixTimeMilliseconds()));
        Assert.Equal(DateTimeOffset.Parse("2026-03-09T06:30:00Z"), second);
    }

    [Fact]
    public void BadCronExpressionsAreRejectedWithTheReason()
    {
        var error = Assert.Throws<ArgumentException>(() => ReminderSchedule.ParseCron("61 * * * *"));
        Assert.Contains("61 * * * *", error.Message);
    }
}
