using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Flo.Serialization;

/// <summary>
/// Appends tagged values to a pooled, growable buffer. One writer is used by one thread at a time;
/// call <see cref="Reset"/> to reuse it and <see cref="Dispose"/> to return its buffer.
/// </summary>
public sealed class WireWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] buffer;
    private int position;

    /// <summary>Creates a writer with a rented buffer.</summary>
    public WireWriter(int initialCapacity = 256)
    {
        buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => position;

    /// <summary>The written bytes (valid until the next write or reset).</summary>
    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, position);

    /// <summary>The written bytes (valid until the next write or reset).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => buffer.AsMemory(0, position);

    /// <summary>Copies the written bytes into a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => position = 0;

    /// <inheritdoc/>
    public void Dispose()
    {
        var b = buffer;
        buffer = [];
        position = 0;
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    /// <inheritdoc/>
    public void Advance(int count) => position += count;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 16));
        return buffer.AsMemory(position);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 16));
        return buffer.AsSpan(position);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int count)
    {
        if (buffer.Length - position < count)
        {
            Grow(count);
        }
    }

    private void Grow(int count)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, position + count));
        buffer.AsSpan(0, position).CopyTo(next);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        buffer = next;
    }

    /// <summary>Writes a field tag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteTag(uint fieldId, WireType wireType) => WriteVarUInt32((fieldId << 3) | (uint)wireType);

    /// <summary>Writes an unsigned varint.</summary>
    public void WriteVarUInt32(uint value)
    {
        Ensure(5);
        var span = buffer.AsSpan(position);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        position += i;
    }

    /// <summary>Writes an unsigned varint.</summary>
    public void WriteVarUInt64(ulong value)
    {
        Ensure(10);
        var span = buffer.AsSpan(position);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        position += i;
    }

    /// <summary>Writes a signed varint with zig-zag encoding.</summary>
    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes four little-endian bytes.</summary>
    public void WriteFixed32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(position), value);
        position += 4;
    }

    /// <summary>Writes eight little-endian bytes.</summary>
    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(position), value);
        position += 8;
    }

    /// <summary>Writes raw bytes with no length.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(buffer.AsSpan(position));
        position += bytes.Length;
    }

    /// <summary>Writes a length prefix then the bytes.</summary>
    public void WriteLengthPrefixed(ReadOnlySpan<byte> bytes)
    {
        WriteVarUInt32((uint)bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>Writes a length prefix then the UTF-8 bytes of the string.</summary>
    public void WriteLengthPrefixed(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max < 128)
        {
            // Short strings: one byte of length, known before encoding.
            Ensure(max + 1);
            var n = Encoding.UTF8.GetBytes(value, buffer.AsSpan(position + 1));
            buffer[position] = (byte)n;
            position += n + 1;
            return;
        }
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt32((uint)count);
        Ensure(count);
        Encoding.UTF8.GetBytes(value, buffer.AsSpan(position));
        position += count;
    }

    // Field helpers used by generated code and built-in codecs.

    /// <summary>Writes a null field.</summary>
    public void WriteNull(uint fieldId) => WriteTag(fieldId, WireType.Null);

    /// <summary>Writes a signed integer field.</summary>
    public void WriteInt64Field(uint fieldId, long value)
    {
        WriteTag(fieldId, WireType.VarInt);
        WriteVarInt64(value);
    }

    /// <summary>Writes an unsigned integer field.</summary>
    public void WriteUInt64Field(uint fieldId, ulong value)
    {
        WriteTag(fieldId, WireType.VarInt);
        WriteVarUInt64(value);
    }

    /// <summary>Writes a string field (null allowed).</summary>
    public void WriteStringField(uint fieldId, string? value)
    {
        if (value is null)
        {
            WriteNull(fieldId);
            return;
        }
        WriteTag(fieldId, WireType.LengthPrefixed);
        WriteLengthPrefixed(value);
    }

    /// <summary>Writes a bytes field.</summary>
    public void WriteBytesField(uint fieldId, ReadOnlySpan<byte> value)
    {
        WriteTag(fieldId, WireType.LengthPrefixed);
        WriteLengthPrefixed(value);
    }

    /// <summary>Starts an object field.</summary>
    public void WriteStartObject(uint fieldId) => WriteTag(fieldId, WireType.StartObject);

    /// <summary>Ends the current object.</summary>
    public void WriteEndObject() => WriteTag(0, WireType.EndObject);

    /// <summary>Starts a list field of <paramref name="count"/> elements.</summary>
    public void WriteStartList(uint fieldId, int count)
    {
        WriteTag(fieldId, WireType.List);
        WriteVarUInt32((uint)count);
    }
}
