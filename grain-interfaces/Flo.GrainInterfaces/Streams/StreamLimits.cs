using Flo.Kv;

namespace Flo.Streams;

/// <summary>Names and limits shared by the client, the grains and the protocol endpoints.</summary>
public static class StreamLimits
{
    /// <summary>Longest stream name.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Largest payload (1 MiB).</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Most records one read or append handles.</summary>
    public const int MaxBatch = 10_000;

    /// <summary>Longest block of one read.</summary>
    public const int MaxBlockMs = 300_000;

    /// <summary>Most partitions of one stream.</summary>
    public const int MaxPartitions = 64;

    /// <summary>Most headers on a record, and their total size in characters.</summary>
    public const int MaxHeaders = 64, MaxHeaderChars = 16 * 1024;

    /// <summary>Throws unless the stream name is 1 to 128 characters of <c>[A-Za-z0-9._:-]</c>.</summary>
    public static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':'))
        {
            throw new StreamArgumentException($"Stream name must be 1 to {MaxNameLength} characters of [A-Za-z0-9._:-]; got '{name}'.");
        }
    }

    /// <summary>Throws unless 1 ≤ count ≤ <see cref="MaxBatch"/>.</summary>
    public static void ValidateCount(int count)
    {
        if (count is < 1 or > MaxBatch)
        {
            throw new StreamArgumentException($"Count must be 1 to {MaxBatch}; got {count}.");
        }
    }

    /// <summary>Throws unless 0 ≤ blockMs ≤ <see cref="MaxBlockMs"/>.</summary>
    public static void ValidateBlock(int blockMs)
    {
        if (blockMs is < 0 or > MaxBlockMs)
        {
            throw new StreamArgumentException($"BlockMs must be 0 to {MaxBlockMs}; got {blockMs}.");
        }
    }

    /// <summary>Throws unless the payload and headers are acceptable.</summary>
    public static void ValidateItem(StreamAppendItem? item)
    {
        if (item?.Payload is null)
        {
            throw new StreamArgumentException("A record needs a payload.");
        }
        if (item.Payload.Length > MaxPayloadBytes)
        {
            throw new StreamArgumentException($"Payload is {item.Payload.Length} bytes; the most a record holds is {MaxPayloadBytes}.");
        }
        if (item.Headers is { } headers && (headers.Count > MaxHeaders || headers.Sum(h => h.Key.Length + (h.Value?.Length ?? 0)) > MaxHeaderChars || headers.Any(h => h.Key.Length == 0 || h.Value is null)))
        {
            throw new StreamArgumentException($"Headers: at most {MaxHeaders}, {MaxHeaderChars} characters in all, non-empty names and non-null values.");
        }
    }

    /// <summary>Throws unless the settings are in range.</summary>
    public static void ValidateSettings(StreamSettings? settings)
    {
        if (settings is null)
        {
            throw new StreamArgumentException("Settings are required.");
        }
        if (settings.Partitions is < 1 or > MaxPartitions)
        {
            throw new StreamArgumentException($"Partitions must be 1 to {MaxPartitions}; got {settings.Partitions}.");
        }
        if (settings.MaxLength < 0 || settings.MaxAgeMs < 0 || settings.MaxBytes < 0)
        {
            throw new StreamArgumentException("Retention limits must not be negative (0: no limit).");
        }
    }

    /// <summary>The grain key of one partition: <c>namespace/stream/partition</c>.</summary>
    public static string PartitionKey(string ns, string name, int partition) => $"{ns}/{name}/{partition}";

    /// <summary>Splits a partition grain key.</summary>
    public static (string Namespace, string Name, int Partition) SplitPartitionKey(string grainKey)
    {
        var parts = grainKey.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[2], out var partition) || partition is < 0 or >= MaxPartitions)
        {
            throw new StreamArgumentException($"'{grainKey}' is not a stream partition key (namespace/stream/partition).");
        }
        return (parts[0], parts[1], partition);
    }
}
