using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>
/// A flow run's recent events in memory, numbered, for watchers that long-poll them. Not stored: events are for
/// watching, and an activation lost with its silo takes its events along (the next one numbers anew, under a new epoch).
/// </summary>
internal sealed class FlowEventLog(TimeProvider time)
{
    /// <summary>Events kept at least; older ones are dropped (a watcher that far behind reads the run instead).</summary>
    public const int Capacity = 10_000;

    private const int Trim = 1_000;

    // Numbered without gaps, oldest first: an event's index is its number minus the first one's, so a read seeks at once.
    private readonly List<FlowEvent> events = [];
    private TaskCompletionSource appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long seq;

    /// <summary>Identifies this activation's numbering.</summary>
    public string Epoch { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Appends an event (numbered here) and wakes waiting readers.</summary>
    public void Add(FlowEvent e)
    {
        events.Add(e with { Seq = ++seq, AtMs = time.GetUtcNow().ToUnixTimeMilliseconds() });
        if (events.Count >= Capacity + Trim)
        {
            // Dropped a batch at a time, so appending stays O(1) amortized.
            events.RemoveRange(0, events.Count - Capacity);
        }
        var woken = appended;
        appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        woken.TrySetResult();
    }

    /// <summary>Events after <paramref name="after"/>; waits up to <paramref name="blockMs"/> for one unless <paramref name="finished"/>.</summary>
    public async Task<FlowEventPage> ReadAsync(long after, int max, int blockMs, Func<bool> finished, CancellationToken cancellationToken)
    {
        max = Math.Clamp(max, 1, 1_000);
        // A reader ahead of this activation's numbering (from an earlier one) is answered at once: it must start over.
        if (after == seq && !finished() && blockMs > 0)
        {
            await Task.WhenAny(appended.Task, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(blockMs, GrainWaits.MaxWaitMs)), time, cancellationToken));
        }
        var from = events.Count == 0 ? 0 : (int)Math.Clamp(after + 1 - events[0].Seq, 0, events.Count);
        var page = events.GetRange(from, Math.Min(max, events.Count - from));
        return new FlowEventPage { Epoch = Epoch, Events = page, Finished = finished() && (page.Count == 0 || page[^1].Seq == seq) };
    }
}
