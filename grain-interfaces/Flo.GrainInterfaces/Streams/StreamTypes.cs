namespace Flo.Streams;

/// <summary>A record read from a stream. Its id is <see cref="TimestampMs"/>-<see cref="Sequence"/> within <see cref="Partition"/>.</summary>
[GenerateSerializer]
[Alias("flo.stream.record")]
public sealed record StreamRecord
{
    /// <summary>Id timestamp (milliseconds since the Unix epoch, on the partition's silo).</summary>
    [Id(0)] public long TimestampMs { get; init; }

    /// <summary>Id sequence within the millisecond.</summary>
    [Id(1)] public long Sequence { get; init; }

    /// <summary>The payload.</summary>
    [Id(2)] public required byte[] Payload { get; init; }

    /// <summary>Headers given at append (null when none).</summary>
    [Id(3)] public Dictionary<string, string>? Headers { get; init; }

    /// <summary>The partition the record is in.</summary>
    [Id(4)] public int Partition { get; init; }

    /// <summary>In a group read: how many times the group has delivered it, this time included; 0 in a plain read.</summary>
    [Id(5)] public int Deliveries { get; init; }

    /// <summary>The record's id.</summary>
    public StreamId Id => new(TimestampMs, Sequence);
}

/// <summary>One record to append (the grain-level form of the client's <c>AppendOptions</c>).</summary>
[GenerateSerializer]
[Alias("flo.stream.append-item")]
public sealed record StreamAppendItem
{
    /// <summary>The payload.</summary>
    [Id(0)] public required byte[] Payload { get; init; }

    /// <summary>Headers, or null.</summary>
    [Id(1)] public Dictionary<string, string>? Headers { get; init; }
}

/// <summary>A partition's (or, summed, a stream's) extent.</summary>
[GenerateSerializer]
[Alias("flo.stream.info")]
public sealed record StreamInfo
{
    /// <summary>Records kept.</summary>
    [Id(0)] public long Length { get; init; }

    /// <summary>Oldest kept id (null when empty).</summary>
    [Id(1)] public string? FirstId { get; init; }

    /// <summary>Newest id ever appended (null when nothing was).</summary>
    [Id(2)] public string? LastId { get; init; }

    /// <summary>Payload bytes kept.</summary>
    [Id(3)] public long Bytes { get; init; }

    /// <summary>Records removed by retention so far.</summary>
    [Id(4)] public long Trimmed { get; init; }

    /// <summary>Partitions of the stream.</summary>
    [Id(5)] public int Partitions { get; init; }

    /// <summary>Names of the stream's consumer groups (kept by partition 0).</summary>
    [Id(6)] public string[] Groups { get; init; } = [];
}

/// <summary>A stream's settings: partitions and retention (0: no limit). Kept by partition 0, copied to the others.</summary>
[GenerateSerializer]
[Alias("flo.stream.settings")]
public sealed record StreamSettings
{
    /// <summary>Defaults: one partition, at most 1,000,000 records, no age or byte limit.</summary>
    public static StreamSettings Default { get; } = new();

    /// <summary>Partitions (grains) the stream is spread over; may grow, never shrink.</summary>
    [Id(0)] public int Partitions { get; init; } = 1;

    /// <summary>Most records kept per stream (split evenly over partitions); 0: no limit.</summary>
    [Id(1)] public long MaxLength { get; init; } = 1_000_000;

    /// <summary>Records older than this are removed; 0: no limit.</summary>
    [Id(2)] public long MaxAgeMs { get; init; }

    /// <summary>Most payload bytes kept per stream (split evenly over partitions); 0: no limit.</summary>
    [Id(3)] public long MaxBytes { get; init; }
}

/// <summary>A consumer group's settings.</summary>
[GenerateSerializer]
[Alias("flo.stream.group-settings")]
public sealed record StreamGroupSettings
{
    /// <summary>Defaults: 30 s ack timeout, 10 deliveries, consumers leave after 5 min without a read, 10,000 dead letters.</summary>
    public static StreamGroupSettings Default { get; } = new();

    /// <summary>A delivered record unacked this long is redelivered to the next consumer that reads.</summary>
    [Id(0)] public long AckTimeoutMs { get; init; } = 30_000;

    /// <summary>Deliveries after which an unacked record goes to the group's dead letters instead.</summary>
    [Id(1)] public int MaxDeliveries { get; init; } = 10;

    /// <summary>A consumer that has not read for this long is removed; its pending records go to others.</summary>
    [Id(2)] public long ConsumerTimeoutMs { get; init; } = 300_000;

    /// <summary>Most dead letters kept; the oldest is dropped beyond it.</summary>
    [Id(3)] public int DlqMaxSize { get; init; } = 10_000;
}

/// <summary>A record delivered to a group and not yet acked.</summary>
[GenerateSerializer]
[Alias("flo.stream.pending")]
public sealed record StreamPendingEntry
{
    /// <summary>The record's partition.</summary>
    [Id(0)] public int Partition { get; init; }

    /// <summary>The record's id.</summary>
    [Id(1)] public StreamId Id { get; init; }

    /// <summary>The consumer it was last delivered to.</summary>
    [Id(2)] public required string Consumer { get; init; }

    /// <summary>Deliveries so far.</summary>
    [Id(3)] public int Deliveries { get; init; }

    /// <summary>Milliseconds since the last delivery.</summary>
    [Id(4)] public long IdleMs { get; init; }
}

/// <summary>A consumer group's state.</summary>
[GenerateSerializer]
[Alias("flo.stream.group-info")]
public sealed record StreamGroupInfo
{
    /// <summary>The group's name.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>Consumers and how long since each last read (ms).</summary>
    [Id(1)] public required Dictionary<string, long> ConsumerIdleMs { get; init; }

    /// <summary>Delivered, unacked records.</summary>
    [Id(2)] public long Pending { get; init; }

    /// <summary>Records the group has not been delivered yet (summed over partitions).</summary>
    [Id(3)] public long Lag { get; init; }

    /// <summary>Dead letters.</summary>
    [Id(4)] public long DlqSize { get; init; }

    /// <summary>The last delivered id per partition.</summary>
    [Id(5)] public required StreamId[] Cursors { get; init; }
}

/// <summary>A group read's answer: the records, and when there were none the cursors a blocking caller waits after.</summary>
[GenerateSerializer]
[Alias("flo.stream.group-read")]
public sealed record StreamGroupReadResult
{
    /// <summary>Delivered records (redeliveries first).</summary>
    [Id(0)] public required StreamRecord[] Records { get; init; }

    /// <summary>The group's cursor per partition.</summary>
    [Id(1)] public required StreamId[] Cursors { get; init; }
}
