namespace Flo.Streams;

/// <summary>
/// One partition of a stream (grain key <see cref="StreamLimits.PartitionKey"/>): an append-only log of records with
/// strictly increasing ids, each stored as its own row, trimmed by the stream's retention.
/// </summary>
[Alias("flo.stream.partition")]
public interface IStreamPartitionGrain : IGrainWithStringKey
{
    /// <summary>Appends records in order; returns their ids once they are durable.</summary>
    Task<StreamId[]> Append(StreamAppendItem[] items);

    /// <summary>
    /// Up to <paramref name="count"/> records with ids ≥ <paramref name="start"/>, oldest first (a trimmed start reads from
    /// the oldest kept record). When there are none, waits up to <paramref name="blockMs"/> for an append.
    /// </summary>
    [Idempotent]
    [ResponseTimeout(GrainWaits.ResponseTimeout)]
    Task<StreamRecord[]> Read(StreamId start, int count, int blockMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="count"/> durable records with ids ≥ <paramref name="start"/>, then up to
    /// <paramref name="readAhead"/> more while their payloads stay within <paramref name="readAheadBytes"/>; never waits.
    /// A consumer group reads this way so that one call to the partition serves several of its readers.
    /// </summary>
    [Idempotent]
    Task<StreamRecord[]> ReadBatch(StreamId start, int count, int readAhead, int readAheadBytes);

    /// <summary>The newest <paramref name="count"/> records, oldest first.</summary>
    [Idempotent]
    Task<StreamRecord[]> ReadTail(int count);

    /// <summary>Up to <paramref name="count"/> records, newest first, with ids ≤ <paramref name="end"/> and ≥ <paramref name="start"/>.</summary>
    [Idempotent]
    Task<StreamRecord[]> ReadReverse(StreamId end, StreamId start, int count);

    /// <summary>The id the next append will follow: the newest id ever appended (0-0 when none).</summary>
    [Idempotent]
    Task<StreamId> LastId();

    /// <summary>How many kept, durable records have ids greater than <paramref name="id"/> (a group's lag).</summary>
    [Idempotent]
    Task<long> CountAfter(StreamId id);

    /// <summary>This partition's extent.</summary>
    [Idempotent]
    Task<StreamInfo> Info();

    /// <summary>Records a consumer group's name (on partition 0, which lists the stream's groups).</summary>
    Task AddGroup(string group);

    /// <summary>Removes the oldest records beyond <paramref name="maxLength"/> now (XTRIM, XADD MAXLEN); returns how many went.</summary>
    Task<long> Trim(long maxLength);

    /// <summary>The stream's settings (partition 0 is the authority).</summary>
    [Idempotent]
    Task<StreamSettings> GetSettings();

    /// <summary>Stores new settings and applies the retention at once.</summary>
    Task Configure(StreamSettings settings);
}
