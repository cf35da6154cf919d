using System.Collections.Concurrent;

namespace Flo.Reminders.Tests.Cluster;

/// <summary>One reminder tick as a test grain saw it.</summary>
public sealed record Tick(string Name, SiloAddress Silo, TickStatus Status, DateTime ReceivedUtc, Guid Activation);

/// <summary>
/// The ticks test grains received, per grain key (the silos run in this process), and a way to wait for them
/// without sleeping: each tick wakes the waiters.
/// </summary>
public static class ReminderLog
{
    private static readonly ConcurrentDictionary<string, List<Tick>> Ticks = new();
    private static readonly object Gate = new();
    private static TaskCompletionSource changed = NewSignal();

    public static void Add(string key, Tick tick)
    {
        TaskCompletionSource signal;
        lock (Gate)
        {
            Ticks.GetOrAdd(key, _ => []).Add(tick);
            signal = changed;
            changed = NewSignal();
        }
        signal.SetResult();
    }

    public static IReadOnlyList<Tick> Of(string key)
    {
        lock (Gate)
        {
            return Ticks.TryGetValue(key, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds on the ticks of <paramref name="key"/>, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<IReadOnlyList<Tick>> WaitAsync(string key, Func<IReadOnlyList<Tick>, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (Gate)
            {
                next = changed.Task;
            }
            var ticks = Of(key);
            if (condition(ticks))
            {
                return ticks;
            }
            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what} of '{key}'; saw {ticks.Count} ticks: {string.Join(", ", ticks.Select(t => $"{t.Name}@{t.Status.CurrentTickTime:HH:mm:ss.fff} on {t.Silo}"))}");
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
