

namespace Flo.Queues;

/// <summary>
/// Names, limits and sequence numbers shared by the client, the grains and the HTTP API, so all of them refuse the
/// same input with the same <see cref="InvalidArgumentException"/>.
/// </summary>
public static class QueueLimits
{
    /// <summary>Longest queue name.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Largest payload (1 MiB).</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Most messages one dequeue, peek, ack, nack, touch or requeue handles.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Longest delay (7 days) and longest visibility timeout (12 hours, as SQS).</summary>
    public const long MaxDelayMs = 7L * 24 * 3600 * 1000, MaxVisibilityTimeoutMs = 12L * 3600 * 1000;

    /// <summary>Longest long poll of one dequeue.</summary>
    public const int MaxBlockMs = 300_000;

    /// <summary>Most partitions of one queue; a sequence number carries its partition in its low 8 bits.</summary>
    public const int MaxPartitions = 64;

    /// <summary>Longest dead-letter error text kept.</summary>
    public const int MaxErrorLength = 4096;

    /// <summary>Longest dedup key.</summary>
    public const int MaxDedupKeyLength = 256;

    private const int PartitionBits = 8;

    /// <summary>Throws unless the queue name is 1 to 128 characters of <c>[A-Za-z0-9._:-]</c>.</summary>
    public static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':'))
        {
            throw new QueueArgumentException($"Queue name must be 1 to {MaxNameLength} characters of [A-Za-z0-9._:-]; got '{name}'.");
        }
    }

    /// <summary>Throws unless the payload is present and at most <see cref="MaxPayloadBytes"/>.</summary>
    public static void ValidatePayload(byte[]? payload)
    {
        if (payload is null)
        {
            throw new QueueArgumentException("Payload must not be null.");
        }
        if (payload.Length > MaxPayloadBytes)
        {
            throw new QueueArgumentException($"Payload is {payload.Length} bytes; the most a message holds is {MaxPayloadBytes}.");
        }
    }

    /// <summary>Throws unless the message's payload, delay and dedup key are acceptable.</summary>
    public static void ValidateItem(QueueEnqueueItem item)
    {
        if (item is null)
        {
            throw new QueueArgumentException("A message is required.");
        }
        ValidatePayload(item.Payload);
        ValidateRange(item.DelayMs, MaxDelayMs, "DelayMs");
        if (item.DedupKey is { Length: 0 or > MaxDedupKeyLength })
        {
            throw new QueueArgumentException($"A dedup key is 1 to {MaxDedupKeyLength} characters.");
        }
    }

    /// <summary>Throws unless 1 ≤ count ≤ <see cref="MaxBatch"/>.</summary>
    public static void ValidateCount(int count, string what = "Count")
    {
        if (count is < 1 or > MaxBatch)
        {
            throw new QueueArgumentException($"{what} must be 1 to {MaxBatch}; got {count}.");
        }
    }

    /// <summary>Throws unless the sequence list is non-empty, at most <see cref="MaxBatch"/>, and every number is one this queue could have issued.</summary>
    public static void ValidateSeqs(IReadOnlyCollection<long>? seqs)
    {
        if (seqs is null || seqs.Count == 0)
        {
            throw new QueueArgumentException("At least one sequence number is required.");
        }
        ValidateCount(seqs.Count, "Number of sequence numbers");
        foreach (var seq in seqs)
        {
            if (seq <= 0)
            {
                throw new QueueArgumentException($"Sequence numbers are positive; got {seq}.");
            }
        }
    }

    /// <summary>Throws unless 0 ≤ value ≤ max.</summary>
    public static void ValidateRange(long value, long max, string what)
    {
        if (value < 0 || value > max)
        {
            throw new QueueArgumentException($"{what} must be 0 to {max}; got {value}.");
        }
    }

    /// <summary>The grain key of one partition: <c>namespace/queue/partition</c>.</summary>
    public static string PartitionKey(string ns, string name, int partition) => $"{ns}/{name}/{partition}";

    /// <summary>Splits a partition grain key.</summary>
    public static (string Namespace, string Name, int Partition) SplitPartitionKey(string grainKey)
    {
        var parts = grainKey.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[2], out var partition) || partition is < 0 or >= MaxPartitions)
        {
            throw new QueueArgumentException($"'{grainKey}' is not a queue partition key (namespace/queue/partition).");
        }
        return (parts[0], parts[1], partition);
    }

    /// <summary>The queue-wide sequence number of a partition's local number: the partition rides in the low bits so acks route without a lookup.</summary>
    public static long ToSeq(long local, int partition) => (local << PartitionBits) | (uint)partition;

    /// <summary>The partition-local number of a sequence number.</summary>
    public static long LocalOf(long seq) => seq >> PartitionBits;

    /// <summary>The partition a sequence number belongs to.</summary>
    public static int PartitionOf(long seq) => (int)(seq & ((1 << PartitionBits) - 1));
}
