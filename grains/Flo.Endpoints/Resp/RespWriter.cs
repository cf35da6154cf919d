using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Flo.Endpoints.Resp;

/// <summary>Writes RESP2 replies into a buffer writer: the connection's pipe, or a per-command buffer when commands of one batch run concurrently.</summary>
internal readonly struct RespWriter(IBufferWriter<byte> output)
{
    public void Ok() => Raw("+OK\r\n"u8);

    public void Simple(string text)
    {
        Raw("+"u8);
        Utf8(text);
        Raw("\r\n"u8);
    }

    public void Error(string message)
    {
        Raw("-"u8);
        // Replies are one line: a newline in a message would end it early.
        Utf8(HasErrorCode(message) ? message.Replace('\r', ' ').Replace('\n', ' ') : "ERR " + message.Replace('\r', ' ').Replace('\n', ' '));
        Raw("\r\n"u8);
    }

    /// <summary>Whether the message already starts with a Redis error code (ERR, WRONGTYPE, NOGROUP...): an upper-case word.</summary>
    private static bool HasErrorCode(string message)
    {
        var space = message.IndexOf(' ');
        return space > 1 && message.AsSpan(0, space).IndexOfAnyExceptInRange('A', 'Z') < 0;
    }

    public void Integer(long value)
    {
        Raw(":"u8);
        Number(value);
        Raw("\r\n"u8);
    }

    public void Nil() => Raw("$-1\r\n"u8);

    public void NilArray() => Raw("*-1\r\n"u8);

    public void Bulk(ReadOnlySpan<byte> value)
    {
        Raw("$"u8);
        Number(value.Length);
        Raw("\r\n"u8);
        Raw(value);
        Raw("\r\n"u8);
    }

    public void Bulk(string value) => Bulk(Encoding.UTF8.GetBytes(value));

    public void ArrayHeader(int count)
    {
        Raw("*"u8);
        Number(count);
        Raw("\r\n"u8);
    }

    private void Number(long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    private void Utf8(string text) => Raw(Encoding.UTF8.GetBytes(text));

    private void Raw(ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
