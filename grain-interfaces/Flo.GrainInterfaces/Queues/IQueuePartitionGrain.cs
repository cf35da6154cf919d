namespace Flo.Queues;

/// <summary>
/// One partition of a queue (grain key <see cref="QueueLimits.PartitionKey"/>): its messages, leases, delivery
/// counts, dedup keys and dead letters, in persistent state. Every change is stored before the call returns; changes
/// that arrive together are stored together.
/// </summary>
[Alias("flo.queue.partition")]
public interface IQueuePartitionGrain : IGrainWithStringKey
{
    /// <summary>Enqueues messages; returns their sequence numbers (a duplicate dedup key returns the first one's).</summary>
    Task<long[]> Enqueue(QueueEnqueueItem[] items);

    /// <summary>
    /// Leases up to <paramref name="count"/> visible messages, highest priority first, FIFO within a priority. When none
    /// is visible, waits up to <paramref name="blockMs"/> in line with other waiting consumers (first come, first served)
    /// without holding the grain's turn.
    /// </summary>
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<QueueMessage[]> Dequeue(int count, long visibilityTimeoutMs, int blockMs, CancellationToken cancellationToken = default);

    /// <summary>Removes messages. Throws <see cref="MessageNotFoundException"/> (and changes nothing) if one is not in the queue.</summary>
    Task Ack(long[] seqs);

    /// <summary>Releases messages: visible again (now or after a delay), or dead-lettered. Throws <see cref="MessageNotFoundException"/> like ack.</summary>
    Task Nack(long[] seqs, QueueNack nack);

    /// <summary>Extends leases to now + the timeout (0: each lease's own timeout); returns the new expiry.</summary>
    Task<long> Touch(long[] seqs, long visibilityTimeoutMs);

    /// <summary>Up to <paramref name="count"/> visible messages in dequeue order, not leased.</summary>
    [Idempotent]
    Task<QueueMessage[]> Peek(int count);

    /// <summary>Dead letters, oldest first, after the one with sequence <paramref name="afterSeq"/> in that order (0: from the start).</summary>
    [Idempotent]
    Task<DlqMessage[]> DlqList(int limit, long afterSeq);

    /// <summary>Moves dead letters back to the queue with a fresh delivery count; returns how many moved (an empty list: all).</summary>
    Task<int> DlqRequeue(long[] seqs);

    /// <summary>This partition's counts.</summary>
    [Idempotent]
    Task<QueueStats> Stats();

    /// <summary>The queue's settings (partition 0 is the authority; others hold a copy).</summary>
    [Idempotent]
    Task<QueueSettings> GetSettings();

    /// <summary>Stores new settings (partition 0 first, then the API copies them to the others).</summary>
    Task Configure(QueueSettings settings);

    /// <summary>Waits until a message is visible or <paramref name="blockMs"/> passed, leasing nothing (multi-partition long polls).</summary>
    [Idempotent]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<bool> WaitForVisible(int blockMs, CancellationToken cancellationToken = default);
}
