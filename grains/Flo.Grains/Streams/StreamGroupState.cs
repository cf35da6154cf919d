using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>
/// The small part of a consumer group stored as its grain state: cursors, consumers, settings. Pending entries and dead
/// letters are records beside it (<see cref="PendingRecord"/>), so a delivery or an ack costs one row.
/// </summary>
[GenerateSerializer]
[Alias("flo.stream.group-state")]
public sealed class StreamGroupState
{
    /// <summary>The last id delivered per partition (0-0: from the start).</summary>
    [Id(0)] public List<StreamId> Cursors { get; set; } = [];

    /// <summary>Consumers and when each last read (Unix ms; written with the group's next change).</summary>
    [Id(1)] public Dictionary<string, long> Consumers { get; set; } = [];

    [Id(2)] public StreamGroupSettings Settings { get; set; } = StreamGroupSettings.Default;

    /// <summary>The next row id for a pending entry.</summary>
    [Id(3)] public long NextSlot { get; set; } = 1;

    /// <summary>Dead letters dropped because there were too many.</summary>
    [Id(4)] public long DlqDropped { get; set; }
}

/// <summary>A delivered, unacked record (or a dead letter), stored as a row keyed by <see cref="Slot"/>.</summary>
[GenerateSerializer]
[Alias("flo.stream.pending-record")]
public sealed class PendingRecord
{
    [Id(0)] public long Slot { get; set; }

    [Id(1)] public int Partition { get; set; }

    [Id(2)] public StreamId Id { get; set; }

    [Id(3)] public string Consumer { get; set; } = "";

    [Id(4)] public int Deliveries { get; set; }

    [Id(5)] public long DeliveredAtMs { get; set; }

    [Id(6)] public bool Dead { get; set; }

    public StreamPendingKey Key => new(Partition, Id);
}
