using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>
/// The small part of a stream partition stored as its grain state: the last id issued, the next record offset, what
/// retention removed, and the settings. The records are rows beside it (<see cref="StreamEntryRecord"/>, one per
/// record, keyed by offset), so an append costs the record, not the stream.
/// </summary>
[GenerateSerializer]
[Alias("flo.stream.partition-state")]
public sealed class StreamPartitionState
{
    [Id(0)] public long LastTimestampMs { get; set; }

    [Id(1)] public long LastSequence { get; set; }

    /// <summary>The row id of the next record (offsets start at 1 and never repeat).</summary>
    [Id(2)] public long NextOffset { get; set; } = 1;

    /// <summary>Records removed by retention.</summary>
    [Id(3)] public long Trimmed { get; set; }

    [Id(4)] public StreamSettings Settings { get; set; } = StreamSettings.Default;

    /// <summary>The stream's consumer groups (kept by partition 0).</summary>
    [Id(5)] public HashSet<string> Groups { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the stream was entered in its namespace's catalog by this partition.</summary>
    [Id(6)] public bool Cataloged { get; set; }
}

/// <summary>One stored record.</summary>
[GenerateSerializer]
[Alias("flo.stream.entry")]
public sealed class StreamEntryRecord
{
    [Id(0)] public long TimestampMs { get; set; }

    [Id(1)] public long Sequence { get; set; }

    [Id(2)] public byte[] Payload { get; set; } = [];

    [Id(3)] public Dictionary<string, string>? Headers { get; set; }

    /// <summary>Not stored (it is the record's row id): set when loaded or appended.</summary>
    [NonSerialized]
    private long offset;

    /// <summary>The record's row id within the partition, set when loaded or appended.</summary>
    public long Offset { get => offset; set => offset = value; }

    public StreamId Id => new(TimestampMs, Sequence);
}
