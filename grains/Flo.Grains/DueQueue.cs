namespace Flo.Grains;

/// <summary>
/// When things fall due (lease ends, delays, ack timeouts) in a grain that keeps its items in memory: a heap of
/// (item, due time) with lazy deletion. An ack or a touch does not look for the item's old entry; the reader checks
/// each taken entry against the item's current due time and skips stale ones. So that stale entries cannot pile up
/// under a fast ack rate (a lease length of deliveries), the heap is rebuilt from the live items when stale entries
/// outnumber them.
/// </summary>
/// <param name="liveCount">How many items could be due (bounds the heap at about twice that).</param>
/// <param name="live">Every item that is waiting to fall due, with its current due time (Unix ms).</param>
internal sealed class DueQueue<TKey>(Func<int> liveCount, Func<IEnumerable<(TKey Key, long Due)>> live)
{
    private readonly PriorityQueue<TKey, long> heap = new();

    /// <summary>Entries queued, stale ones included.</summary>
    public int Count => heap.Count;

    /// <summary>Queues <paramref name="key"/> to fall due at <paramref name="due"/>.</summary>
    public void Schedule(TKey key, long due)
    {
        heap.Enqueue(key, due);
        if (heap.Count > 2 * liveCount() + 1_024)
        {
            Rebuild();
        }
    }

    /// <summary>Requeues every live item at its current due time, dropping stale entries (and entries made stale by a new rule).</summary>
    public void Rebuild()
    {
        heap.Clear();
        foreach (var (key, due) in live())
        {
            heap.Enqueue(key, due);
        }
    }

    /// <summary>The earliest due time queued (stale entries included), if any.</summary>
    public bool TryPeekDue(out long due) => heap.TryPeek(out _, out due);

    /// <summary>Takes the earliest entry if it is due at <paramref name="now"/>; the caller checks it is not stale.</summary>
    public bool TryTakeDue(long now, out TKey key, out long due)
    {
        if (heap.TryPeek(out key!, out due) && due <= now)
        {
            heap.Dequeue();
            return true;
        }
        return false;
    }
}
