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
