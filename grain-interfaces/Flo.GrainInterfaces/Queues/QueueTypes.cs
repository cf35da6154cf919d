namespace Flo.Queues;

/// <summary>A message handed out by a dequeue (leased) or a peek (not leased). Times are Unix milliseconds.</summary>
[GenerateSerializer]
[Alias("flo.queue.message")]
public sealed record QueueMessage
{
    /// <summary>Queue-wide sequence number: what ack, nack and touch name.</summary>
    [Id(0)] public long Seq { get; init; }

    /// <summary>The payload.</summary>
    [Id(1)] public required byte[] Payload { get; init; }

    /// <summary>Priority (higher first).</summary>
    [Id(2)] public int Priority { get; init; }

    /// <summary>Deliveries so far, this one included (0 in a peek of a message never dequeued).</summary>
    [Id(3)] public int Deliveries { get; init; }

    /// <summary>When the lease ends (0 in a peek).</summary>
    [Id(4)] public long LeaseExpiresAtMs { get; init; }

    /// <summary>When it was enqueued.</summary>
    [Id(5)] public long EnqueuedAtMs { get; init; }
}

/// <summary>A message in the dead-letter queue.</summary>
[GenerateSerializer]
[Alias("flo.queue.dlq-message")]
public sealed record DlqMessage
{
    /// <summary>Its sequence number (what <c>DlqRequeueAsync</c> names).</summary>
    [Id(0)] public long Seq { get; init; }

    /// <summary>The payload.</summary>
    [Id(1)] public required byte[] Payload { get; init; }

    /// <summary>Priority it had.</summary>
    [Id(2)] public int Priority { get; init; }

    /// <summary>Deliveries before it was dead-lettered.</summary>
    [Id(3)] public int Deliveries { get; init; }

    /// <summary>The last nack error, or why it was dead-lettered (<c>max deliveries</c>).</summary>
    [Id(4)] public string? LastError { get; init; }

    /// <summary>When it was dead-lettered.</summary>
    [Id(5)] public long DeadAtMs { get; init; }

    /// <summary>When it was enqueued.</summary>
    [Id(6)] public long EnqueuedAtMs { get; init; }
}

/// <summary>Counts of a queue (summed over partitions).</summary>
[GenerateSerializer]
[Alias("flo.queue.stats")]
public sealed record QueueStats
{
    /// <summary>Messages waiting: visible now plus delayed (not in flight, not dead).</summary>
    [Id(0)] public long Depth { get; init; }

    /// <summary>Of <see cref="Depth"/>, those visible now.</summary>
    [Id(1)] public long Visible { get; init; }

    /// <summary>Of <see cref="Depth"/>, those delayed (by enqueue delay or nack delay).</summary>
    [Id(2)] public long Delayed { get; init; }

    /// <summary>Leased to a consumer and not yet acked.</summary>
    [Id(3)] public long InFlight { get; init; }

    /// <summary>In the dead-letter queue.</summary>
    [Id(4)] public long DlqSize { get; init; }

    /// <summary>Dead letters dropped because the DLQ was full (oldest first).</summary>
    [Id(5)] public long DlqDropped { get; init; }

    /// <summary>Partitions of the queue.</summary>
    [Id(6)] public int Partitions { get; init; }

    /// <summary>Consumers waiting in long polls right now.</summary>
    [Id(7)] public long Waiting { get; init; }

    /// <summary>Sums two partitions' counts.</summary>
    public QueueStats Add(QueueStats other) => new()
    {
        Depth = Depth + other.Depth,
        Visible = Visible + other.Visible,
        Delayed = Delayed + other.Delayed,
        InFlight = InFlight + other.InFlight,
        DlqSize = DlqSize + other.DlqSize,
        DlqDropped = DlqDropped + other.DlqDropped,
        Partitions = Partitions + other.Partitions,
        Waiting = Waiting + other.Waiting,
    };
}

/// <summary>A queue's settings; kept by partition 0 and copied to the others. Defaults are the contract's.</summary>
[GenerateSerializer]
[Alias("flo.queue.settings")]
public sealed record QueueSettings
{
    /// <summary>The defaults every queue starts with.</summary>
    public static QueueSettings Default { get; } = new();

    /// <summary>Partitions (grains) the queue is spread over; may grow, never shrink.</summary>
    [Id(0)] public int Partitions { get; init; } = 1;

    /// <summary>Deliveries after which a failed or expired lease dead-letters the message.</summary>
    [Id(1)] public int MaxDeliveries { get; init; } = 5;

    /// <summary>Lease length of a dequeue that does not name one.</summary>
    [Id(2)] public long DefaultVisibilityTimeoutMs { get; init; } = 30_000;

    /// <summary>Most dead letters kept per partition; the oldest is dropped (and counted) beyond it.</summary>
    [Id(3)] public int DlqMaxSize { get; init; } = 10_000;

    /// <summary>How long a dedup key keeps returning the first sequence number.</summary>
    [Id(4)] public long DedupWindowMs { get; init; } = 300_000;
}

/// <summary>One message to enqueue (the grain-level form of the client's <c>EnqueueOptions</c>).</summary>
[GenerateSerializer]
[Alias("flo.queue.enqueue-item")]
public sealed record QueueEnqueueItem
{
    /// <summary>The payload.</summary>
    [Id(0)] public required byte[] Payload { get; init; }

    /// <summary>Priority (higher first).</summary>
    [Id(1)] public int Priority { get; init; }

    /// <summary>Invisible for this long after the enqueue.</summary>
    [Id(2)] public long DelayMs { get; init; }

    /// <summary>Dedup key, or null.</summary>
    [Id(3)] public string? DedupKey { get; init; }
}

/// <summary>How a nack releases messages.</summary>
[GenerateSerializer]
[Alias("flo.queue.nack")]
public sealed record QueueNack
{
    /// <summary>Dead-letter at once instead of making visible again.</summary>
    [Id(0)] public bool ToDlq { get; init; }

    /// <summary>Visible again after this long (0: at once).</summary>
    [Id(1)] public long DelayMs { get; init; }

    /// <summary>Error text kept with the message (shown by the DLQ list).</summary>
    [Id(2)] public string? Error { get; init; }
}
