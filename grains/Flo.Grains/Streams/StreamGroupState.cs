using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>
/// The small part of a consumer group stored as its grain state: cursors, settings, counters. Pending entries, dead
/// letters and consumers are rows beside it (<see cref="PendingRecord"/>), so a delivery or an ack costs one row and
/// the state stays the same size however many consumers read.
/// </summary>
[GenerateSerializer]
[Alias("flo.stream.group-state")]
public sealed class StreamGroupState
{
    /// <summary>The last id delivered per partition (0-0: from the start).</summary>
    [Id(0)] public List<StreamId> Cursors { get; set; } = [];

    /// <summary>Consumers as groups stored them before consumers became rows; moved to rows when such a group activates.</summary>
    [Id(1)] public Dictionary<string, long> Consumers { get; set; } = [];

    [Id(2)] public StreamGroupSettings Settings { get; set; } = StreamGroupSettings.Default;

    /// <summary>The next row id for a pending entry.</summary>
    [Id(3)] public long NextSlot { get; set; } = 1;

    /// <summary>Dead letters dropped because there were too many.</summary>
    [Id(4)] public long DlqDropped { get; set; }
}

/// <summary>
/// A row of a consumer group, keyed by <see cref="Slot"/>: a delivered, unacked record, a dead letter
/// (<see cref="Dead"/>), or a consumer (<see cref="IsConsumer"/>: <see cref="Consumer"/> and, in
/// <see cref="DeliveredAtMs"/>, when it last read as far as stored).
/// </summary>
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

    [Id(7)] public bool IsConsumer { get; set; }

    public StreamPendingKey Key => new(Partition, Id);
}
