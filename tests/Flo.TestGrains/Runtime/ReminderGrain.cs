using System.Collections.Concurrent;

namespace Flo.TestGrains.Runtime;

/// <summary>A grain with reminders, recording every tick (process-wide, so ticks on any in-process silo count).</summary>
public interface IReminderGrain : IGrainWithStringKey, IRemindable
{
    Task Start(string name, int dueMs, int periodMs, MissedTickPolicy policy);

    Task StartCron(string name, string cron);

    Task<bool> Stop(string name);

    Task<List<string>> Names();

    /// <summary>Deactivates after this call, so the next tick must activate the grain again.</summary>
    Task Sleep();
}

public sealed record ReminderTick(string Name, TickStatus Status, string Silo, Guid Activation, DateTimeOffset At);

public static class ReminderLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<ReminderTick>> Ticks = new();

    public static IReadOnlyList<ReminderTick> Of(string key) => Ticks.TryGetValue(key, out var q) ? q.ToArray() : [];

    internal static void Add(string key, ReminderTick tick) => Ticks.GetOrAdd(key, _ => new()).Enqueue(tick);
}

public sealed class ReminderGrain : Grain, IReminderGrain
{
    private readonly Guid activation = Guid.NewGuid();

    public Task Start(string name, int dueMs, int periodMs, MissedTickPolicy policy)
        => RegisterOrUpdateReminderAsync(name, TimeSpan.FromMilliseconds(dueMs), TimeSpan.FromMilliseconds(periodMs), policy);

    public Task StartCron(string name, string cron) => RegisterOrUpdateCronReminderAsync(name, cron);

    public Task<bool> Stop(string name) => UnregisterReminderAsync(name);

    public async Task<List<string>> Names() => (await GetRemindersAsync()).Select(r => r.Name).ToList();

    public Task Sleep()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderLog.Add(GetPrimaryKeyString(), new ReminderTick(reminderName, status, GrainContext.SiloName, activation, DateTimeOffset.UtcNow));
        return Task.CompletedTask;
    }
}
