using System.Buffers;
using System.Text;

namespace Flo.Endpoints.Resp;

/// <summary>
/// Parses client commands from the connection's bytes: RESP arrays of bulk strings (what every client sends) and
/// inline commands (<c>PING\r\n</c>, typed into telnet or sent by some tools). Returns false when the buffer does not
/// yet hold a whole command; throws <see cref="RespProtocolException"/> for bytes that are not RESP, with Redis' own
/// messages (<c>invalid bulk length</c>, <c>unbalanced quotes in request</c>...). Inline commands are split as Redis
/// splits them (<c>sdssplitargs</c>): double quotes with <c>\n \r \t \b \a \\ \" \xHH</c> escapes, single quotes
/// with <c>\'</c>; a quote that is not closed, or a closing quote not followed by a space, is an error.
/// </summary>
internal static class RespReader
{
    /// <summary>Largest bulk string accepted (a value over the KV limit is refused later, with a clear error).</summary>
    public const int MaxBulkLength = 16 * 1024 * 1024;

    /// <summary>Most arguments in one command.</summary>
    public const int MaxArguments = 1024 * 1024;

    /// <summary>Longest inline command line (as Redis: 64 KiB).</summary>
    public const int MaxInlineLength = 64 * 1024;

    public static bool TryReadCommand(ref ReadOnlySequence<byte> buffer, out byte[][] args)
    {
        args = [];
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryPeek(out var first))
        {
            return false;
        }
        if (first != (byte)'*')
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                if (reader.Remaining > MaxInlineLength)
                {
                    throw new RespProtocolException("too big inline request", $"no line end in {reader.Remaining} bytes");
                }
                return false;
            }
            if (line.Length > MaxInlineLength)
            {
                throw new RespProtocolException("too big inline request", $"an inline line of {line.Length} bytes");
            }
            args = SplitInline(line.ToArray());
            buffer = buffer.Slice(reader.Position);
            return true;
        }
        reader.Advance(1);
        if (!TryReadInteger(ref reader, out var count))
        {
            return false;
        }
        if (count < 0 || count > MaxArguments)
        {
            throw new RespProtocolException("invalid multibulk length", $"multibulk length {count}");
        }
        var result = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryRead(out var marker))
            {
                return false;
            }
            if (marker != (byte)'$')
            {
                throw new RespProtocolException($"expected '$', got '{(char)marker}'", null);
            }
            if (!TryReadInteger(ref reader, out var length))
            {
                return false;
            }
            if (length < 0 || length > MaxBulkLength)
            {
                throw new RespProtocolException("invalid bulk length", $"bulk length {length}, at most {MaxBulkLength} accepted");
            }
            if (reader.Remaining < length + 2)
            {
                return false;
            }
            var bytes = new byte[length];
            reader.TryCopyTo(bytes);
            reader.Advance(length);
            if (!reader.IsNext("\r\n"u8, advancePast: true))
            {
                throw new RespProtocolException("bulk string not terminated by CRLF", null);
            }
            result[i] = bytes;
        }
        args = result;
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryReadInteger(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        if (!reader.TryReadTo(out ReadOnlySpan<byte> line, "\r\n"u8))
        {
            if (reader.Remaining > 32)
            {
                throw new RespProtocolException("too big count string", $"no CRLF in {reader.Remaining} bytes");
            }
            return false;
        }
        if (!System.Buffers.Text.Utf8Parser.TryParse(line, out value, out var consumed) || consumed != line.Length)
        {
            throw new RespProtocolException("invalid bulk length", "a length that is not an integer");
        }
        return true;
    }

    /// <summary>Splits an inline command line as Redis' <c>sdssplitargs</c> does; throws on unbalanced quotes.</summary>
    internal static byte[][] SplitInline(ReadOnlySpan<byte> line)
    {
        var args = new List<byte[]>();
        var current = new List<byte>();
        var p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
            {
                p++;
            }
            if (p == line.Length)
            {
                return [.. args];
            }
            var inDouble = false;
            var inSingle = false;
            var done = false;
            current.Clear();
            while (!done)
            {
                if (inDouble)
                {
                    if (p == line.Length)
                    {
                        throw Unbalanced();
                    }
                    var c = line[p];
                    if (c == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        current.Add((byte)(HexValue(line[p + 2]) * 16 + HexValue(line[p + 3])));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        current.Add(line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (c == '"')
                    {
                        // The closing quote must be followed by a space or end the line.
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            throw Unbalanced();
                        }
                        done = true;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else if (inSingle)
                {
                    if (p == line.Length)
                    {
                        throw Unbalanced();
                    }
                    var c = line[p];
                    if (c == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                    {
                        p++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            throw Unbalanced();
                        }
                        done = true;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else if (p == line.Length)
                {
                    done = true;
                }
                else
                {
                    switch (line[p])
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDouble = true;
                            break;
                        case (byte)'\'':
                            inSingle = true;
                            break;
                        default:
                            current.Add(line[p]);
                            break;
                    }
                }
                if (p < line.Length)
                {
                    p++;
                }
            }
            args.Add([.. current]);
        }
    }

    private static RespProtocolException Unbalanced() => new("unbalanced quotes in request", null);

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/// <summary>
/// Bytes that are not RESP: the connection gets <c>-ERR Protocol error: {Message}</c> (Redis' wording) and is closed;
/// <see cref="Detail"/> (numbers, for the log) is not sent.
/// </summary>
internal sealed class RespProtocolException(string message, string? detail) : Exception(message)
{
    /// <summary>What the log says beyond the reply, if anything.</summary>
    public string? Detail { get; } = detail;
}
