using System.Diagnostics;

namespace Flo.Runtime.Scheduler;

/// <summary>
/// Runs an activation's work one task at a time on the thread pool (Orleans' WorkItemGroup). Grain code awaits
/// resume here because <c>await</c> captures <see cref="TaskScheduler.Current"/>, so a grain never runs on two
/// threads at once even when its requests interleave. A quantum bounds how long one activation holds a thread.
/// </summary>
internal sealed class ActivationTaskScheduler : TaskScheduler, IThreadPoolWorkItem
{
    private static readonly long QuantumTicks = Stopwatch.Frequency / 1000 * 10;

    [ThreadStatic]
    private static ActivationTaskScheduler? running;

    private readonly System.Collections.Concurrent.ConcurrentQueue<Task> queue = new();
    private int scheduled;

    /// <summary>Tasks waiting to run (for diagnostics).</summary>
    public int QueueLength => queue.Count;

    /// <inheritdoc/>
    protected override void QueueTask(Task task)
    {
        queue.Enqueue(task);
        if (Interlocked.CompareExchange(ref scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Drains queued tasks for one quantum.</summary>
    public void Execute()
    {
        var previous = running;
        running = this;
        try
        {
            var start = Stopwatch.GetTimestamp();
            while (queue.TryDequeue(out var task))
            {
                TryExecuteTask(task);
                if (Stopwatch.GetTimestamp() - start > QuantumTicks)
                {
                    break;
                }
            }
        }
        finally
        {
            running = previous;
            Volatile.Write(ref scheduled, 0);
            // A task queued between the last TryDequeue and the reset above would otherwise be stranded.
            if (!queue.IsEmpty && Interlocked.CompareExchange(ref scheduled, 1, 0) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }
    }

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
        // Inline only when this thread is already running this activation: it keeps the one-thread guarantee.
        => ReferenceEquals(running, this) && !taskWasPreviouslyQueued && TryExecuteTask(task);

    /// <inheritdoc/>
    protected override IEnumerable<Task> GetScheduledTasks() => queue.ToArray();

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => 1;
}
