using Flo.Queues;

namespace Flo.Grains.Queues;

/// <summary>
/// The small part of a partition stored as its grain state (rewritten on every write): counters and settings. The
/// messages themselves are records beside it (<see cref="QueueMessageRecord"/>), so a write costs what changed.
/// </summary>
[GenerateSerializer]
[Alias("flo.queue.partition-state")]
public sealed class QueuePartitionState
{
    /// <summary>The next local sequence number (the record id of the next message).</summary>
    [Id(0)] public long NextLocal { get; set; } = 1;

    /// <summary>The next dead-letter order number (dead letters are listed and dropped oldest first).</summary>
    [Id(1)] public long NextDeadOrder { get; set; } = 1;

    /// <summary>Dead letters dropped because the DLQ was full.</summary>
    [Id(2)] public long DlqDropped { get; set; }

    /// <summary>The queue's settings (a copy on partitions other than 0).</summary>
    [Id(3)] public QueueSettings Settings { get; set; } = QueueSettings.Default;

    /// <summary>Whether the queue was entered in its namespace's catalog by this partition.</summary>
    [Id(4)] public bool Cataloged { get; set; }
}

/// <summary>Where a message is in its life. Values are stored: frozen.</summary>
public enum QueueMessageStatus
{
    /// <summary>Waiting: visible from <see cref="QueueMessageRecord.VisibleAtMs"/> on.</summary>
    Ready = 0,
    /// <summary>Leased to a consumer until <see cref="QueueMessageRecord.LeaseExpiresAtMs"/>.</summary>
    Leased = 1,
    /// <summary>In the dead-letter queue.</summary>
    Dead = 2,
    /// <summary>Acked, kept without its payload only until its dedup window ends.</summary>
    Done = 3,
}

/// <summary>One message, stored as a record with its local sequence number as id.</summary>
[GenerateSerializer]
[Alias("flo.queue.message-record")]
public sealed class QueueMessageRecord
{
    [Id(0)] public long Local { get; set; }

    [Id(1)] public byte[] Payload { get; set; } = [];

    [Id(2)] public int Priority { get; set; }

    [Id(3)] public long EnqueuedAtMs { get; set; }

    [Id(4)] public QueueMessageStatus Status { get; set; }

    [Id(5)] public long VisibleAtMs { get; set; }

    [Id(6)] public long LeaseExpiresAtMs { get; set; }

    [Id(7)] public long LeaseTimeoutMs { get; set; }

    [Id(8)] public int Deliveries { get; set; }

    [Id(9)] public string? LastError { get; set; }

    [Id(10)] public string? DedupKey { get; set; }

    [Id(11)] public long DedupUntilMs { get; set; }

    [Id(12)] public long DeadOrder { get; set; }

    [Id(13)] public long DeadAtMs { get; set; }
}
