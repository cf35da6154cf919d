using System.Buffers;
using System.Text;

namespace Flo.Endpoints.Resp;

/// <summary>
/// Parses client commands from the connection's bytes: RESP arrays of bulk strings (what every client sends) and
/// inline commands (<c>PING\r\n</c>, typed into telnet or sent by some tools). Returns false when the buffer does not
/// yet hold a whole command; throws <see cref="RespProtocolException"/> for bytes that are not RESP.
/// </summary>
internal static class RespReader
{
    /// <summary>Largest bulk string accepted (a value over the KV limit is refused later, with a clear error).</summary>
    public const int MaxBulkLength = 16 * 1024 * 1024;

    /// <summary>Most arguments in one command.</summary>
    public const int MaxArguments = 1024 * 1024;

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
                return false;
            }
            var text = Encoding.UTF8.GetString(line).TrimEnd('\r');
            args = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.UTF8.GetBytes).ToArray();
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
            throw new RespProtocolException($"invalid multibulk length {count}");
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
                throw new RespProtocolException($"expected '$', got '{(char)marker}'");
            }
            if (!TryReadInteger(ref reader, out var length))
            {
                return false;
            }
            if (length < 0 || length > MaxBulkLength)
            {
                throw new RespProtocolException($"invalid bulk length {length}");
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
                throw new RespProtocolException("bulk string not terminated by CRLF");
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
                throw new RespProtocolException("length line too long");
            }
            return false;
        }
        if (!System.Buffers.Text.Utf8Parser.TryParse(line, out value, out var consumed) || consumed != line.Length)
        {
            throw new RespProtocolException("invalid length");
        }
        return true;
    }
}

/// <summary>Bytes that are not RESP: the connection gets an error reply and is closed.</summary>
internal sealed class RespProtocolException(string message) : Exception(message);
