using Flo.Invocation;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Flo.Serialization;

/// <summary>
/// Reads tagged values from a contiguous buffer. Malformed input raises <see cref="SerializationException"/>,
/// never an out-of-range read.
/// </summary>
public sealed class WireReader
{
    // Strict: invalid UTF-8 is an error, not silently replaced, so stored keys and names are never corrupted.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlyMemory<byte> memory;
    private int position;
    private int depth;

    /// <summary>Maximum nesting of objects and lists, so hostile input cannot overflow the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Creates a reader over the bytes.</summary>
    public WireReader(ReadOnlyMemory<byte> data, IGrainReferenceActivator? references = null)
    {
        memory = data;
        References = references;
    }

    /// <summary>Turns serialized grain references back into callable references; set by the runtime.</summary>
    public IGrainReferenceActivator? References { get; set; }

    /// <summary>Current offset.</summary>
    public int Position => position;

    /// <summary>Whether every byte was consumed.</summary>
    public bool IsAtEnd => position >= memory.Length;

    /// <summary>Points the reader at new data.</summary>
    public void Reset(ReadOnlyMemory<byte> data)
    {
        memory = data;
        position = 0;
        depth = 0;
    }

    private ReadOnlySpan<byte> Remaining => memory.Span[position..];

    /// <summary>Reads a tag.</summary>
    public (uint FieldId, WireType WireType) ReadTag()
    {
        var tag = ReadVarUInt32();
        var wt = (WireType)(tag & 7);
        return (tag >> 3, wt);
    }

    /// <summary>Reads an unsigned varint.</summary>
    public uint ReadVarUInt32()
    {
        var v = ReadVarUInt64();
        if (v > uint.MaxValue)
        {
            throw new SerializationException("Varint too large for 32 bits.");
        }
        return (uint)v;
    }

    /// <summary>Reads an unsigned varint.</summary>
    public ulong ReadVarUInt64()
    {
        var span = memory.Span;
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if (position >= span.Length)
            {
                throw new SerializationException("Unexpected end of data in varint.");
            }
            var b = span[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
            shift += 7;
            if (shift > 63)
            {
                throw new SerializationException("Varint longer than 10 bytes.");
            }
        }
    }

    /// <summary>Reads a zig-zag signed varint.</summary>
    public long ReadVarInt64()
    {
        var v = ReadVarUInt64();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    /// <summary>Reads four little-endian bytes.</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadRaw(4));

    /// <summary>Reads eight little-endian bytes.</summary>
    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadRaw(8));

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if ((uint)count > (uint)(memory.Length - position))
        {
            throw new SerializationException($"Length {count} runs past the end of the data.");
        }
        var span = memory.Span.Slice(position, count);
        position += count;
        return span;
    }

    /// <summary>Reads a length-prefixed byte run as a slice of the underlying memory (no copy).</summary>
    public ReadOnlyMemory<byte> ReadLengthPrefixedMemory()
    {
        var length = (int)ReadVarUInt32();
        if ((uint)length > (uint)(memory.Length - position))
        {
            throw new SerializationException($"Length {length} runs past the end of the data.");
        }
        var m = memory.Slice(position, length);
        position += length;
        return m;
    }

    /// <summary>Reads a length-prefixed byte run.</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed() => ReadRaw((int)ReadVarUInt32());

    /// <summary>Reads a length-prefixed UTF-8 string.</summary>
    public string ReadLengthPrefixedString()
    {
        var bytes = ReadLengthPrefixed();
        try
        {
            return bytes.Length == 0 ? string.Empty : StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new SerializationException("Invalid UTF-8 in string: " + e.Message);
        }
    }

    /// <summary>Checks that a field has the expected wire type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Expect(WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw new SerializationException($"Expected wire type {expected}, found {actual}.");
        }
    }

    /// <summary>Enters an object or list (depth-checked).</summary>
    public void EnterNested()
    {
        if (++depth > MaxDepth)
        {
            throw new SerializationException($"Nesting deeper than {MaxDepth}.");
        }
    }

    /// <summary>Leaves an object or list.</summary>
    public void ExitNested() => depth--;

    /// <summary>Reads a list header (after its tag): the element count, bounded by the remaining bytes.</summary>
    public int ReadListCount()
    {
        var count = ReadVarUInt32();
        // Each element takes at least one byte (its tag), which bounds hostile counts before anything is allocated.
        if (count > (uint)(memory.Length - position))
        {
            throw new SerializationException($"List count {count} exceeds the remaining data.");
        }
        return (int)count;
    }

    /// <summary>Skips a value of the given wire type whose tag was already read.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.VarInt:
                ReadVarUInt64();
                break;
            case WireType.Fixed32:
                ReadRaw(4);
                break;
            case WireType.Fixed64:
                ReadRaw(8);
                break;
            case WireType.LengthPrefixed:
                ReadLengthPrefixed();
                break;
            case WireType.Null:
                break;
            case WireType.StartObject:
                EnterNested();
                while (true)
                {
                    var (_, wt) = ReadTag();
                    if (wt == WireType.EndObject)
                    {
                        break;
                    }
                    Skip(wt);
                }
                ExitNested();
                break;
            case WireType.List:
                EnterNested();
                var n = ReadListCount();
                for (var i = 0; i < n; i++)
                {
                    var (_, wt) = ReadTag();
                    Skip(wt);
                }
                ExitNested();
                break;
            default:
                throw new SerializationException($"Unexpected wire type {wireType}.");
        }
    }
}

/// <summary>Small helpers over <see cref="WireReader"/> used by built-in and generated codecs.</summary>
public static class WireReaderExtensions
{
    /// <summary>Reads a string field value given its wire type (null allowed).</summary>
    public static string? ReadLengthPrefixedStringOrNull(this WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null;
        }
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        return reader.ReadLengthPrefixedString();
    }
}
