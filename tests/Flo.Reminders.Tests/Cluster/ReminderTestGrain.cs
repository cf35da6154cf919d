namespace Flo.Reminders.Tests.Cluster;

public interface IReminderTestGrain : IGrainWithStringKey
{
    Task Start(string name, TimeSpan dueTime, TimeSpan period);

    Task<bool> Stop(string name);

    Task<string[]> Names();

    Task<SiloAddress> Silo();
}

/// <summary>Registers Orleans reminders and logs every tick to <see cref="ReminderLog"/>.</summary>
public sealed class ReminderTestGrain(ILocalSiloDetails silo) : Grain, IReminderTestGrain, IRemindable
{
    private readonly Guid activation = Guid.NewGuid();

    public async Task Start(string name, TimeSpan dueTime, TimeSpan period) => await this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task<bool> Stop(string name)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is null)
        {
            return false;
        }
        await this.UnregisterReminder(reminder);
        return true;
    }

    public async Task<string[]> Names() => [.. (await this.GetReminders()).Select(r => r.ReminderName).Order()];

    public Task<SiloAddress> Silo() => Task.FromResult(silo.SiloAddress);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderLog.Add(this.GetPrimaryKeyString(), new Tick(reminderName, silo.SiloAddress, status, DateTime.UtcNow, activation));
        return Task.CompletedTask;
    }
}

public interface ICronTestGrain : IGrainWithStringKey
{
    Task Start(string cron, MissedTicks missedTicks);
}

/// <summary>Runs a <see cref="ReminderSchedule"/> on a 1 s heartbeat, as a platform grain would; logs each fire.</summary>
public sealed class CronTestGrain(ILocalSiloDetails silo, TimeProvider clock) : Grain, ICronTestGrain, IRemindable
{
    private const string ReminderName = "cron";
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    // A real grain keeps these in its IPersistentState; a test grain that lives for the whole test can keep them here.
    private ReminderSchedule? schedule;
    private DateTimeOffset? lastFiredUtc;

    public async Task Start(string cron, MissedTicks missedTicks)
    {
        schedule = ReminderSchedule.Cron(cron) with { MissedTicks = missedTicks, Heartbeat = Heartbeat };
        lastFiredUtc = clock.GetUtcNow();
        var (dueTime, period) = schedule.Registration(lastFiredUtc, clock);
        await this.RegisterOrUpdateReminder(ReminderName, dueTime, period);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (schedule is null)
        {
            // Activated by a tick after a restart without state: nothing to run.
            await this.UnregisterReminder((await this.GetReminder(reminderName))!);
            return;
        }
        var check = schedule.Check(lastFiredUtc, clock);
        if (check.Fire)
        {
            var occurrence = check.Occurrence!.Value.UtcDateTime;
            ReminderLog.Add(this.GetPrimaryKeyString(), new Tick(reminderName, silo.SiloAddress, new TickStatus(occurrence, Heartbeat, occurrence), DateTime.UtcNow, default));
        }
        if (check.Changed)
        {
            lastFiredUtc = check.LastFiredUtc;
        }
    }
}
