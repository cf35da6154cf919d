using System.Collections.Concurrent;
using System.Diagnostics;

namespace Flo.Bench.Schedules;

/// <summary>One run a scheduler started: the schedule (its index in the round), the due time it serves, when its handler began.</summary>
public readonly record struct Fire(int Schedule, long DueMs, double StartedMs);

/// <summary>
/// Every run the handlers of one round started, and the arrivals the drain waits on. Handlers of both schedulers run in
/// this process, so their start times and the due times (the silo's clock, Quartz's clock) come from the same clock.
/// </summary>
public sealed class FireLog
{
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    private readonly ConcurrentQueue<Fire> fires = new();
    private long windowEndMs = long.MaxValue;
    private long lastWindowArrival = Stopwatch.GetTimestamp();

    /// <summary>Now as Unix milliseconds with sub-millisecond precision (the due times are whole milliseconds).</summary>
    public static double NowMs => (DateTime.UtcNow.Ticks - EpochTicks) / (double)TimeSpan.TicksPerMillisecond;

    /// <summary>The runs logged so far.</summary>
    public IReadOnlyCollection<Fire> Fires => fires;

    /// <summary>Logs a run whose handler started at <paramref name="startedMs"/> (<see cref="NowMs"/> as it began).</summary>
    public void Add(int schedule, long dueMs, double startedMs)
    {
        fires.Enqueue(new Fire(schedule, dueMs, startedMs));
        if (dueMs < Volatile.Read(ref windowEndMs))
        {
            Volatile.Write(ref lastWindowArrival, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>
    /// After the measured window: waits until the runs of its due times stopped arriving (none for <paramref name="quiet"/>,
    /// and not before one interval after the window, when the last of them was due) or <paramref name="cap"/> passed.
    /// Runs of due times still unserved then are counted as behind, not waited for: a scheduler that cannot keep up
    /// would otherwise hold the bench for as long as its backlog.
    /// </summary>
    public async Task DrainAsync(long windowEndMs, TimeSpan interval, TimeSpan quiet, TimeSpan cap, CancellationToken cancellationToken)
    {
        Volatile.Write(ref this.windowEndMs, windowEndMs);
        Volatile.Write(ref lastWindowArrival, Stopwatch.GetTimestamp());
        var started = Stopwatch.GetTimestamp();
        var earliest = TimeSpan.FromMilliseconds(Math.Max(0, windowEndMs - NowMs)) + interval + quiet;
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= cap || (elapsed >= earliest && Stopwatch.GetElapsedTime(Volatile.Read(ref lastWindowArrival)) >= quiet))
            {
                return;
            }
        }
    }
}
