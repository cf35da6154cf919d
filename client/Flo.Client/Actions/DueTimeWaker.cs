using System.Diagnostics;

namespace Flo.Actions;

/// <summary>
/// A worker's own thread that ends waits at their due time: how a run leased ahead of its due time
/// (<see cref="RunLease.StartInMs"/>) starts on time.
/// </summary>
/// <remarks>
/// Not <see cref="Task.Delay(TimeSpan)"/>: a timer's callback is queued to the thread pool, behind whatever the
/// process's client, handlers (and, in an embedded app, silo) queued there, and under load that queue was the tail of a
/// scheduled run's lateness. A wait ends on this thread and its continuation runs here synchronously, so an I/O-lane
/// handler starts here and runs up to its first await; CPU-bound handlers go back to their lane's scheduler.
/// </remarks>
internal sealed class DueTimeWaker(Action<TimeSpan> blocked) : IDisposable
{
    /// <summary>A continuation that holds the thread longer than this delays every run due meanwhile: reported.</summary>
    internal static readonly TimeSpan BlockedAfter = TimeSpan.FromMilliseconds(50);

    private readonly PriorityQueue<Waiter, long> queue = new();
    private readonly object gate = new();
    private Thread? thread;
    private bool stopped;

    /// <summary>A task that completes on this waker's thread when <paramref name="timestamp"/> (<see cref="Stopwatch"/> ticks) has passed.</summary>
    public Task WaitUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }
        if (Stopwatch.GetTimestamp() >= timestamp)
        {
            return Task.CompletedTask;
        }
        var waiter = new Waiter();
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(stopped, this);
            queue.Enqueue(waiter, timestamp);
            if (thread is null)
            {
                thread = new Thread(Loop) { IsBackground = true, Name = "flo-worker-due" };
                thread.Start();
            }
            else if (ReferenceEquals(queue.Peek(), waiter))
            {
                // The thread sleeps until a later time: wake it to sleep until this one.
                Monitor.Pulse(gate);
            }
        }
        waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).TrySetCanceled(token), waiter);
        return waiter.Task;
    }

    /// <summary>Ends the thread; pending waits are cancelled.</summary>
    public void Dispose()
    {
        Waiter[] left;
        lock (gate)
        {
            stopped = true;
            left = [.. queue.UnorderedItems.Select(i => i.Element)];
            queue.Clear();
            Monitor.Pulse(gate);
        }
        foreach (var waiter in left)
        {
            waiter.TrySetCanceled();
        }
    }

    private void Loop()
    {
        while (true)
        {
            Waiter due;
            lock (gate)
            {
                while (true)
                {
                    if (stopped)
                    {
                        return;
                    }
                    if (!queue.TryPeek(out var next, out var at))
                    {
                        Monitor.Wait(gate);
                        continue;
                    }
                    if (next.Task.IsCompleted)
                    {
                        // Cancelled while it waited.
                        queue.Dequeue();
                        continue;
                    }
                    var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), at);
                    if (remaining <= TimeSpan.Zero)
                    {
                        due = queue.Dequeue();
                        break;
                    }
                    // Whole milliseconds, rounded up so it does not wake early and sleep again.
                    Monitor.Wait(gate, (int)Math.Ceiling(remaining.TotalMilliseconds));
                }
            }
            // Outside the lock: what continues from the wait runs on this thread.
            due.Registration.Dispose();
            var started = Stopwatch.GetTimestamp();
            due.TrySetResult();
            var held = Stopwatch.GetElapsedTime(started);
            if (held > BlockedAfter)
            {
                blocked(held);
            }
        }
    }

    private sealed class Waiter() : TaskCompletionSource(TaskCreationOptions.None)
    {
        public CancellationTokenRegistration Registration { get; set; }
    }
}
