namespace Flo.Streams;

/// <summary>
/// A consumer group of a stream (grain key <c>namespace/stream/group</c>): a cursor per partition, the pending entries
/// (delivered, unacked records with consumer, delivery count and time), the consumers and the group's dead letters, in
/// persistent state written before any answer.
/// </summary>
[Alias("flo.stream.group")]
public interface IStreamGroupGrain : IGrainWithStringKey
{
    /// <summary>Creates the group (if it does not exist) starting after <paramref name="startAfter"/> per partition (null: at each partition's end) and adds the consumer (an empty name: none, RESP XGROUP CREATE).</summary>
    Task Join(string consumer, StreamId? startAfter, StreamGroupSettings? settings);

    /// <summary>
    /// Delivers up to <paramref name="count"/> records to the consumer: first records whose ack timeout passed (or whose
    /// consumer left), then new ones. Never waits; when nothing is there, the answer carries the cursors to wait after.
    /// Throws <see cref="GroupNotFoundException"/> when the group does not exist.
    /// </summary>
    Task<StreamGroupReadResult> Read(string consumer, int count);

    /// <summary>Acks records (partition, id); returns how many were pending.</summary>
    Task<int> Ack(StreamPendingKey[] keys);

    /// <summary>Pending entries, oldest delivery first, optionally of one consumer.</summary>
    Task<StreamPendingEntry[]> Pending(string? consumer, int count);

    /// <summary>Moves pending records idle at least <paramref name="minIdleMs"/> to the consumer (XCLAIM); returns them.</summary>
    Task<StreamRecord[]> Claim(string consumer, long minIdleMs, StreamPendingKey[] keys);

    /// <summary>Moves up to <paramref name="count"/> pending records idle at least <paramref name="minIdleMs"/> to the consumer (XAUTOCLAIM).</summary>
    Task<StreamRecord[]> AutoClaim(string consumer, long minIdleMs, int count);

    /// <summary>Removes a consumer; its pending records are redelivered to the next consumer that reads. True when it was a member.</summary>
    Task<bool> Leave(string consumer);

    /// <summary>The group's state and lag.</summary>
    Task<StreamGroupInfo> Info();

    /// <summary>Records that reached the maximum deliveries, oldest first.</summary>
    Task<StreamPendingEntry[]> DeadLetters(int count);
}

/// <summary>A record's address in a group: partition and id.</summary>
[GenerateSerializer]
[Alias("flo.stream.pending-key")]
public readonly record struct StreamPendingKey([property: Id(0)] int Partition, [property: Id(1)] StreamId Id);
