using System.Buffers.Binary;

namespace Flo.Serialization;

#pragma warning disable CS1591 // Codec classes are self-describing by type name.

internal static class BuiltInCodecs
{
    public static void RegisterAll()
    {
        CodecRegistry.Register<bool>(new BoolCodec());
        CodecRegistry.Register<byte>(new ByteCodec());
        CodecRegistry.Register<sbyte>(new SByteCodec());
        CodecRegistry.Register<short>(new Int16Codec());
        CodecRegistry.Register<ushort>(new UInt16Codec());
        CodecRegistry.Register<int>(new Int32Codec());
        CodecRegistry.Register<uint>(new UInt32Codec());
        CodecRegistry.Register<long>(new Int64Codec());
        CodecRegistry.Register<ulong>(new UInt64Codec());
        CodecRegistry.Register<char>(new CharCodec());
        CodecRegistry.Register<float>(new SingleCodec());
        CodecRegistry.Register<double>(new DoubleCodec());
        CodecRegistry.Register<decimal>(new DecimalCodec());
        CodecRegistry.Register<string>(new StringCodec());
        CodecRegistry.Register<byte[]>(new ByteArrayCodec());
        CodecRegistry.Register<ReadOnlyMemory<byte>>(new ReadOnlyMemoryCodec());
        CodecRegistry.Register<Memory<byte>>(new MemoryCodec());
        CodecRegistry.Register<Guid>(new GuidCodec());
        CodecRegistry.Register<DateTime>(new DateTimeCodec());
        CodecRegistry.Register<DateTimeOffset>(new DateTimeOffsetCodec());
        CodecRegistry.Register<TimeSpan>(new TimeSpanCodec());
        CodecRegistry.Register<GrainId>(new GrainIdCodec());
    }
}

/// <summary>Base for integer codecs: all share the zig-zag varint layout, so widening a field (int to long) stays compatible.</summary>
public abstract class SignedVarIntCodec<T> : IFieldCodec<T>
{
    public void WriteField(WireWriter writer, uint fieldId, T value) => writer.WriteInt64Field(fieldId, ToInt64(value));

    public T ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.VarInt);
        var raw = reader.ReadVarInt64();
        try
        {
            return FromInt64(raw);
        }
        catch (OverflowException)
        {
            throw new SerializationException($"Value {raw} does not fit in {typeof(T).Name}.");
        }
    }

    protected abstract long ToInt64(T value);

    protected abstract T FromInt64(long value);
}

public sealed class BoolCodec : SignedVarIntCodec<bool>
{
    protected override long ToInt64(bool value) => value ? 1 : 0;
    protected override bool FromInt64(long value) => value != 0;
}

public sealed class ByteCodec : SignedVarIntCodec<byte>
{
    protected override long ToInt64(byte value) => value;
    protected override byte FromInt64(long value) => checked((byte)value);
}

public sealed class SByteCodec : SignedVarIntCodec<sbyte>
{
    protected override long ToInt64(sbyte value) => value;
    protected override sbyte FromInt64(long value) => checked((sbyte)value);
}

public sealed class Int16Codec : SignedVarIntCodec<short>
{
    protected override long ToInt64(short value) => value;
    protected override short FromInt64(long value) => checked((short)value);
}

public sealed class UInt16Codec : SignedVarIntCodec<ushort>
{
    protected override long ToInt64(ushort value) => value;
    protected override ushort FromInt64(long value) => checked((ushort)value);
}

public sealed class Int32Codec : SignedVarIntCodec<int>
{
    protected override long ToInt64(int value) => value;
    protected override int FromInt64(long value) => checked((int)value);
}

public sealed class UInt32Codec : SignedVarIntCodec<uint>
{
    protected override long ToInt64(uint value) => value;
    protected override uint FromInt64(long value) => checked((uint)value);
}

public sealed class Int64Codec : SignedVarIntCodec<long>
{
    protected override long ToInt64(long value) => value;
    protected override long FromInt64(long value) => value;
}

public sealed class CharCodec : SignedVarIntCodec<char>
{
    protected override long ToInt64(char value) => value;
    protected override char FromInt64(long value) => checked((char)value);
}

public sealed class TimeSpanCodec : SignedVarIntCodec<TimeSpan>
{
    protected override long ToInt64(TimeSpan value) => value.Ticks;
    protected override TimeSpan FromInt64(long value) => TimeSpan.FromTicks(value);
}

public sealed class UInt64Codec : IFieldCodec<ulong>
{
    public void WriteField(WireWriter writer, uint fieldId, ulong value) => writer.WriteUInt64Field(fieldId, value);

    public ulong ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.VarInt);
        return reader.ReadVarUInt64();
    }
}

public sealed class SingleCodec : IFieldCodec<float>
{
    public void WriteField(WireWriter writer, uint fieldId, float value)
    {
        writer.WriteTag(fieldId, WireType.Fixed32);
        writer.WriteFixed32(BitConverter.SingleToUInt32Bits(value));
    }

    public float ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.Fixed32);
        return BitConverter.UInt32BitsToSingle(reader.ReadFixed32());
    }
}

public sealed class DoubleCodec : IFieldCodec<double>
{
    public void WriteField(WireWriter writer, uint fieldId, double value)
    {
        writer.WriteTag(fieldId, WireType.Fixed64);
        writer.WriteFixed64(BitConverter.DoubleToUInt64Bits(value));
    }

    public double ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.Fixed64);
        return BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
    }
}

public sealed class DateTimeCodec : IFieldCodec<DateTime>
{
    public void WriteField(WireWriter writer, uint fieldId, DateTime value)
    {
        writer.WriteTag(fieldId, WireType.Fixed64);
        writer.WriteFixed64((ulong)value.ToBinary());
    }

    public DateTime ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.Fixed64);
        var raw = (long)reader.ReadFixed64();
        try
        {
            return DateTime.FromBinary(raw);
        }
        catch (ArgumentException)
        {
            throw new SerializationException("Invalid DateTime.");
        }
    }
}

public sealed class DateTimeOffsetCodec : IFieldCodec<DateTimeOffset>
{
    public void WriteField(WireWriter writer, uint fieldId, DateTimeOffset value)
    {
        writer.WriteTag(fieldId, WireType.LengthPrefixed);
        Span<byte> b = stackalloc byte[10];
        BinaryPrimitives.WriteInt64LittleEndian(b, value.Ticks);
        BinaryPrimitives.WriteInt16LittleEndian(b[8..], (short)value.Offset.TotalMinutes);
        writer.WriteLengthPrefixed(b);
    }

    public DateTimeOffset ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        var b = reader.ReadLengthPrefixed();
        if (b.Length != 10)
        {
            throw new SerializationException("DateTimeOffset must be 10 bytes.");
        }
        try
        {
            return new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(b), TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16LittleEndian(b[8..])));
        }
        catch (ArgumentException)
        {
            throw new SerializationException("Invalid DateTimeOffset.");
        }
    }
}

public sealed class DecimalCodec : IFieldCodec<decimal>
{
    public void WriteField(WireWriter writer, uint fieldId, decimal value)
    {
        writer.WriteTag(fieldId, WireType.LengthPrefixed);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        Span<byte> b = stackalloc byte[16];
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b[(i * 4)..], bits[i]);
        }
        writer.WriteLengthPrefixed(b);
    }

    public decimal ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        var b = reader.ReadLengthPrefixed();
        if (b.Length != 16)
        {
            throw new SerializationException("Decimal must be 16 bytes.");
        }
        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < 4; i++)
        {
            bits[i] = BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..]);
        }
        try
        {
            return new decimal(bits);
        }
        catch (ArgumentException)
        {
            throw new SerializationException("Invalid decimal.");
        }
    }
}

public sealed class GuidCodec : IFieldCodec<Guid>
{
    public void WriteField(WireWriter writer, uint fieldId, Guid value)
    {
        writer.WriteTag(fieldId, WireType.LengthPrefixed);
        Span<byte> b = stackalloc byte[16];
        value.TryWriteBytes(b);
        writer.WriteLengthPrefixed(b);
    }

    public Guid ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        var b = reader.ReadLengthPrefixed();
        if (b.Length != 16)
        {
            throw new SerializationException("Guid must be 16 bytes.");
        }
        return new Guid(b);
    }
}

public sealed class StringCodec : IFieldCodec<string>
{
    public void WriteField(WireWriter writer, uint fieldId, string value) => writer.WriteStringField(fieldId, value);

    public string ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        return reader.ReadLengthPrefixedString();
    }
}

public sealed class ByteArrayCodec : IFieldCodec<byte[]>
{
    public void WriteField(WireWriter writer, uint fieldId, byte[] value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        writer.WriteBytesField(fieldId, value);
    }

    public byte[] ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        return reader.ReadLengthPrefixed().ToArray();
    }
}

public sealed class ReadOnlyMemoryCodec : IFieldCodec<ReadOnlyMemory<byte>>
{
    public void WriteField(WireWriter writer, uint fieldId, ReadOnlyMemory<byte> value) => writer.WriteBytesField(fieldId, value.Span);

    public ReadOnlyMemory<byte> ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return default;
        }
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        // Copy: the reader's buffer is pooled and reused after the message is processed.
        return reader.ReadLengthPrefixed().ToArray();
    }
}

public sealed class MemoryCodec : IFieldCodec<Memory<byte>>
{
    public void WriteField(WireWriter writer, uint fieldId, Memory<byte> value) => writer.WriteBytesField(fieldId, value.Span);

    public Memory<byte> ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return default;
        }
        WireReader.Expect(wireType, WireType.LengthPrefixed);
        return reader.ReadLengthPrefixed().ToArray();
    }
}

public sealed class GrainIdCodec : IFieldCodec<GrainId>
{
    public void WriteField(WireWriter writer, uint fieldId, GrainId value)
    {
        writer.WriteStartObject(fieldId);
        writer.WriteStringField(0, value.Type);
        writer.WriteStringField(1, value.Key);
        writer.WriteEndObject();
    }

    public GrainId ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.StartObject);
        reader.EnterNested();
        string type = "", key = "";
        while (true)
        {
            var (id, wt) = reader.ReadTag();
            if (wt == WireType.EndObject)
            {
                break;
            }
            switch (id)
            {
                case 0: type = reader.ReadLengthPrefixedStringOrNull(wt) ?? ""; break;
                case 1: key = reader.ReadLengthPrefixedStringOrNull(wt) ?? ""; break;
                default: reader.Skip(wt); break;
            }
        }
        reader.ExitNested();
        return new GrainId(type, key);
    }
}
