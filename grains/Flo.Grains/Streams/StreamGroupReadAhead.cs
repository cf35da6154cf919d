using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>
/// Records a consumer group fetched from its partitions past the cursors but has not handed out yet, per partition in
/// id order. One fetch from a partition then serves the next readers of the group without another call to the
/// partition, which is what lets many consumers of one group read at the rate the stream is appended.
/// </summary>
/// <remarks>
/// Only memory: the stored cursor is the last record handed out, so a new activation simply fetches again. Records
/// stay buffered at most <see cref="MaxAgeMs"/>, then are fetched again, so retention and trims reach the group: a
/// record trimmed less than that after it was read ahead may still be handed out (it was in the stream when it was
/// read). Bounded by <see cref="MaxRecords"/> and <see cref="MaxBytes"/> per fetch (the partition stops reading ahead at
/// the budget).
/// </remarks>
internal sealed class StreamGroupReadAhead
{
    /// <summary>Most records read ahead per fetch.</summary>
    public const int MaxRecords = 256;

    /// <summary>Most payload bytes read ahead per fetch.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Longest a record stays buffered before it is fetched again.</summary>
    public const long MaxAgeMs = 1_000;

    private readonly List<Buffer> partitions = [];

    /// <summary>Records buffered for partition <paramref name="p"/>.</summary>
    public int Count(int p) => p < partitions.Count ? partitions[p].Records.Count : 0;

    /// <summary>Takes the oldest buffered record of partition <paramref name="p"/>.</summary>
    public bool TryTake(int p, out StreamRecord record)
    {
        DropIfStale(p);
        if (p < partitions.Count && partitions[p].Records.TryDequeue(out var found))
        {
            record = found;
            return true;
        }
        record = null!;
        return false;
    }

    /// <summary>Where the next fetch of partition <paramref name="p"/> starts: after the buffered records, or after the cursor.</summary>
    public StreamId FetchFrom(int p, StreamId cursor)
    {
        DropIfStale(p);
        return (Count(p) > 0 ? partitions[p].Newest : cursor).Next();
    }

    /// <summary>
    /// Adds fetched records of partition <paramref name="p"/>; records not after the buffer's newest (or the cursor, when
    /// the buffer is empty) are skipped, so the buffer stays in strict id order after the cursor.
    /// </summary>
    public void Add(int p, StreamId cursor, IEnumerable<StreamRecord> records)
    {
        while (partitions.Count <= p)
        {
            partitions.Add(new Buffer());
        }
        var buffer = partitions[p];
        if (buffer.Records.Count == 0)
        {
            // The age counts from the oldest fetch still buffered: a refill of a non-empty buffer does not renew it.
            buffer.FetchedAt = Environment.TickCount64;
        }
        var newest = buffer.Records.Count > 0 ? buffer.Newest : cursor;
        foreach (var record in records)
        {
            if (record.Id > newest)
            {
                buffer.Records.Enqueue(record);
                newest = record.Id;
            }
        }
        buffer.Newest = newest;
    }

    /// <summary>Forgets a buffer older than <see cref="MaxAgeMs"/>: the next fetch starts after the cursor and sees the stream as it is now.</summary>
    private void DropIfStale(int p)
    {
        if (p < partitions.Count && partitions[p] is { Records.Count: > 0 } buffer && Environment.TickCount64 - buffer.FetchedAt > MaxAgeMs)
        {
            buffer.Records.Clear();
        }
    }

    private sealed class Buffer
    {
        public readonly Queue<StreamRecord> Records = new();
        public StreamId Newest;
        public long FetchedAt;
    }
}
