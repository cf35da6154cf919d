using System.Buffers;
using System.Globalization;
using System.Text;
using Flo.Streams;

namespace Flo.Endpoints.Resp;

/// <summary>
/// How stream records look in RESP (an entry is <c>[id, [field, value, ...]]</c>; Redis fields are kept as a RESP-encoded
/// payload marked by <see cref="FieldsHeader"/>) and how stream command arguments (ids, ranges, STREAMS lists) are read.
/// </summary>
internal static class RespStreamFormat
{
    /// <summary>The header marking a payload that holds a Redis entry's field/value pairs.</summary>
    public const string FieldsHeader = "flo-resp";

    /// <summary>XREAD/XREADGROUP replies: <c>[[key, entries], ...]</c>, or a nil array when nothing was read.</summary>
    public static void WriteKeyedEntries(RespWriter reply, List<(string Key, IReadOnlyList<StreamRecord> Records)> results)
    {
        if (results.Count == 0)
        {
            reply.NilArray();
            return;
        }
        reply.ArrayHeader(results.Count);
        foreach (var (key, records) in results)
        {
            reply.ArrayHeader(2);
            reply.Bulk(key);
            WriteEntries(reply, records);
        }
    }

    public static (int Count, long? Block, List<string> Keys, List<string> Ids) ParseReadArgs(byte[][] args, int from, string command)
    {
        var count = StreamLimits.MaxBatch;
        long? block = null;
        var i = from;
        while (i < args.Length && Upper(args[i]) != "STREAMS")
        {
            var option = Upper(args[i]);
            if (option == "COUNT" && i + 1 < args.Length)
            {
                count = (int)Math.Clamp(Long(args[i + 1]), 1, StreamLimits.MaxBatch);
                i += 2;
            }
            else if (option == "BLOCK" && i + 1 < args.Length)
            {
                block = Long(args[i + 1]);
                if (block < 0)
                {
                    throw new RespCommandException("timeout is negative");
                }
                i += 2;
            }
            else
            {
                throw new RespCommandException("syntax error");
            }
        }
        var rest = args.Length - i - 1;
        if (i >= args.Length || rest <= 0 || rest % 2 != 0)
        {
            throw new RespCommandException($"Unbalanced '{command}' list of streams: for each stream key an ID or '$' must be specified.");
        }
        var keys = args.Skip(i + 1).Take(rest / 2).Select(Text).ToList();
        var ids = args.Skip(i + 1 + (rest / 2)).Select(Text).ToList();
        return (count, block, keys, ids);
    }

    public static void WriteEntries(RespWriter reply, IReadOnlyList<StreamRecord> records, bool justId = false)
    {
        reply.ArrayHeader(records.Count);
        foreach (var r in records)
        {
            if (justId)
            {
                reply.Bulk(r.Id.ToString());
            }
            else
            {
                WriteEntry(reply, r);
            }
        }
    }

    public static void WriteEntryOrNil(RespWriter reply, StreamRecord? record)
    {
        if (record is null)
        {
            reply.Nil();
        }
        else
        {
            WriteEntry(reply, record);
        }
    }

    public static void WriteEntry(RespWriter reply, StreamRecord r)
    {
        reply.ArrayHeader(2);
        reply.Bulk(r.Id.ToString());
        if (r.Headers is { } h && h.TryGetValue(FieldsHeader, out var marker) && marker == "1" && DecodeFields(r.Payload) is { } fields)
        {
            reply.ArrayHeader(fields.Length);
            foreach (var f in fields)
            {
                reply.Bulk(f);
            }
            return;
        }
        var headers = r.Headers?.Where(x => x.Key != FieldsHeader).ToList() ?? [];
        reply.ArrayHeader(2 + (headers.Count * 2));
        reply.Bulk("payload");
        reply.Bulk(r.Payload);
        foreach (var (name, value) in headers)
        {
            reply.Bulk(name);
            reply.Bulk(value);
        }
    }

    public static byte[] EncodeFields(ReadOnlySpan<byte[]> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RespWriter(buffer);
        writer.ArrayHeader(fields.Length);
        foreach (var f in fields)
        {
            writer.Bulk(f);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[][]? DecodeFields(byte[] payload)
    {
        var sequence = new ReadOnlySequence<byte>(payload);
        try
        {
            return RespReader.TryReadCommand(ref sequence, out var fields) ? fields : null;
        }
        catch (RespProtocolException)
        {
            return null;
        }
    }

    /// <summary>A range bound: <c>-</c>, <c>+</c>, <c>ms</c>, <c>ms-seq</c>, or <c>(</c> for exclusive.</summary>
    public static StreamId ParseBound(string text, bool isStart)
    {
        if (text == "-")
        {
            return StreamId.Min;
        }
        if (text == "+")
        {
            return StreamId.Max;
        }
        if (text.StartsWith('('))
        {
            var inner = ParseId(text[1..], isStart);
            return isStart ? inner.Next() : new StreamId(inner.Sequence == 0 ? inner.TimestampMs - 1 : inner.TimestampMs, inner.Sequence == 0 ? long.MaxValue : inner.Sequence - 1);
        }
        return ParseId(text, isStart);
    }

    public static StreamId ParseId(string text, bool isStart)
    {
        if (!StreamId.TryParse(text, out var id))
        {
            throw new RespCommandException("Invalid stream ID specified as stream command argument");
        }
        // "ms" alone means the whole millisecond: from its first sequence, or up to its last.
        return !text.Contains('-') && !isStart ? new StreamId(id.TimestampMs, long.MaxValue) : id;
    }

    public static string Text(byte[] raw) => Encoding.UTF8.GetString(raw);

    public static string Upper(byte[] raw) => Encoding.ASCII.GetString(raw).ToUpperInvariant();

    public static long Long(byte[] raw)
        => long.TryParse(Encoding.ASCII.GetString(raw), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RespCommandException("value is not an integer or out of range");

    public static void Min(byte[][] args, int minimum, string name)
    {
        if (args.Length < minimum)
        {
            throw new RespCommandException($"wrong number of arguments for '{name}' command");
        }
    }

    public static void Exact(byte[][] args, int expected, string name)
    {
        if (args.Length != expected)
        {
            throw new RespCommandException($"wrong number of arguments for '{name}' command");
        }
    }
}
