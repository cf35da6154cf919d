using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Flo.Kv;

namespace Flo.Streams;

/// <summary>
/// A record's id within a stream partition: <c>timestampMs-sequence</c>, as Redis stream ids. Ids only grow within a
/// partition, even when the clock goes back (the timestamp then stays and the sequence counts up).
/// </summary>
[GenerateSerializer]
[Alias("flo.stream.id")]
public readonly record struct StreamId([property: Id(0)] long TimestampMs, [property: Id(1)] long Sequence) : IComparable<StreamId>
{
    /// <summary>The smallest id (<c>0-0</c>): reads from the start.</summary>
    public static StreamId Min => default;

    /// <summary>The largest id.</summary>
    public static StreamId Max => new(long.MaxValue, long.MaxValue);

    /// <summary>The id after this one in order (the smallest id greater than it).</summary>
    public StreamId Next() => Sequence == long.MaxValue ? new StreamId(TimestampMs + 1, 0) : new StreamId(TimestampMs, Sequence + 1);

    /// <summary>
    /// The id for a record appended at <paramref name="nowMs"/> after <paramref name="last"/>: the clock's millisecond
    /// with sequence 0 when the clock moved forward, otherwise the last timestamp with the next sequence (Redis rules).
    /// </summary>
    public static StreamId NextAfter(StreamId last, long nowMs) => nowMs > last.TimestampMs ? new StreamId(nowMs, 0) : last.Next();

    /// <inheritdoc/>
    public int CompareTo(StreamId other)
    {
        var c = TimestampMs.CompareTo(other.TimestampMs);
        return c != 0 ? c : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>Less than.</summary>
    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;

    /// <summary>Greater than.</summary>
    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;

    /// <summary>Less than or equal.</summary>
    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;

    /// <summary>Greater than or equal.</summary>
    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    /// <summary><c>ms-seq</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TimestampMs}-{Sequence}");

    /// <summary>Parses <c>ms-seq</c> or <c>ms</c> (sequence 0); throws <see cref="InvalidArgumentException"/> otherwise.</summary>
    public static StreamId Parse(string? text)
        => TryParse(text, out var id) ? id : throw new StreamArgumentException($"'{text}' is not a stream id (timestampMs-sequence, two non-negative integers).");

    /// <summary>Parses <c>ms-seq</c> or <c>ms</c> (sequence 0).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out StreamId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var dash = text.IndexOf('-');
        var msText = dash < 0 ? text.AsSpan() : text.AsSpan(0, dash);
        var seqText = dash < 0 ? "0".AsSpan() : text.AsSpan(dash + 1);
        if (!long.TryParse(msText, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }
        id = new StreamId(ms, seq);
        return true;
    }
}
