using System.Buffers;
using System.Buffers.Binary;
using Flo.Invocation;
using Flo.Serialization;

namespace Flo.Messaging;

/// <summary>
/// Frames: a 4-byte little-endian length, then a length-prefixed header of tagged fields (version-tolerant, like
/// grain state), then the body. One frame is one <see cref="Message"/>.
/// </summary>
public static class MessageCodec
{
    /// <summary>Size of the frame length prefix.</summary>
    public const int LengthPrefixSize = 4;

    private static class Field
    {
        public const uint Kind = 0, RequestId = 1, TargetInterface = 2, TargetKey = 3, MethodInterface = 4, MethodId = 5,
            Flags = 6, TimeoutMs = 7, TraceParent = 8, TraceState = 9, Status = 10, ErrorType = 11, ErrorMessage = 12,
            CallChain = 13, SiloName = 14, Gateways = 15, TargetGrainType = 16,
            SenderSilo = 17, MembershipVersion = 18, ForwardCount = 19, ProbeTarget = 20;
    }

    /// <summary>Writes one frame into <paramref name="output"/>, using <paramref name="scratch"/> for the header.</summary>
    public static void Write(Message message, WireWriter scratch, IBufferWriter<byte> output)
    {
        scratch.Reset();
        scratch.WriteUInt64Field(Field.Kind, (ulong)message.Kind);
        scratch.WriteInt64Field(Field.RequestId, message.RequestId);
        if (message.Kind is MessageKind.Request or MessageKind.OneWay)
        {
            scratch.WriteUInt64Field(Field.TargetInterface, message.TargetInterfaceId);
            scratch.WriteStringField(Field.TargetKey, message.TargetKey);
            WriteOptional(scratch, Field.TargetGrainType, message.TargetGrainType);
            scratch.WriteUInt64Field(Field.MethodInterface, message.MethodInterfaceId);
            scratch.WriteUInt64Field(Field.MethodId, message.MethodId);
            if (message.Flags != InvokeFlags.None)
            {
                scratch.WriteUInt64Field(Field.Flags, (ulong)message.Flags);
            }
            scratch.WriteInt64Field(Field.TimeoutMs, message.TimeoutMs);
        }
        else
        {
            scratch.WriteUInt64Field(Field.Status, (ulong)message.Status);
        }
        WriteOptional(scratch, Field.TraceParent, message.TraceParent);
        WriteOptional(scratch, Field.TraceState, message.TraceState);
        WriteOptional(scratch, Field.ErrorType, message.ErrorType);
        WriteOptional(scratch, Field.ErrorMessage, message.ErrorMessage);
        WriteOptional(scratch, Field.CallChain, message.CallChain);
        WriteOptional(scratch, Field.SiloName, message.SiloName);
        WriteOptional(scratch, Field.Gateways, message.Gateways);
        WriteOptional(scratch, Field.SenderSilo, message.SenderSilo);
        WriteOptional(scratch, Field.ProbeTarget, message.ProbeTarget);
        if (message.MembershipVersion != 0)
        {
            scratch.WriteInt64Field(Field.MembershipVersion, message.MembershipVersion);
        }
        if (message.ForwardCount != 0)
        {
            scratch.WriteInt64Field(Field.ForwardCount, message.ForwardCount);
        }

        var header = scratch.WrittenSpan;
        var headerLengthSize = VarIntSize((uint)header.Length);
        var frameLength = headerLengthSize + header.Length + message.Body.Length;
        var span = output.GetSpan(LengthPrefixSize + headerLengthSize + header.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, frameLength);
        var p = LengthPrefixSize;
        var h = (uint)header.Length;
        while (h >= 0x80)
        {
            span[p++] = (byte)(h | 0x80);
            h >>= 7;
        }
        span[p++] = (byte)h;
        header.CopyTo(span[p..]);
        output.Advance(p + header.Length);
        if (!message.Body.IsEmpty)
        {
            output.Write(message.Body.Span);
        }
    }

    private static void WriteOptional(WireWriter writer, uint field, string? value)
    {
        if (value is not null)
        {
            writer.WriteStringField(field, value);
        }
    }

    private static int VarIntSize(uint value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>
    /// Tries to take one frame off the front of <paramref name="buffer"/>. Returns false when more bytes are needed.
    /// Throws <see cref="MessageRejectedException"/> for frames over <paramref name="maxMessageSize"/> or malformed headers.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out Message? message)
    {
        message = null;
        if (buffer.Length < LengthPrefixSize)
        {
            return false;
        }
        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        buffer.Slice(0, LengthPrefixSize).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length <= 0 || length > maxMessageSize)
        {
            throw new MessageRejectedException($"Frame length {length} is outside 1..{maxMessageSize} bytes.");
        }
        if (buffer.Length < LengthPrefixSize + length)
        {
            return false;
        }
        // One copy per frame: the body then lives in its own array and outlives the pipe's buffer.
        var frame = new byte[length];
        buffer.Slice(LengthPrefixSize, length).CopyTo(frame);
        buffer = buffer.Slice(LengthPrefixSize + length);
        message = Parse(frame);
        return true;
    }

    /// <summary>Parses a frame without its length prefix.</summary>
    public static Message Parse(byte[] frame)
    {
        try
        {
            var (headerLength, headerStart) = ReadHeaderLength(frame);
            if (headerLength > frame.Length - headerStart)
            {
                throw new MessageRejectedException("Header length runs past the frame.");
            }
            var header = new WireReader(frame.AsMemory(headerStart, headerLength));
            var m = new Message();
            while (!header.IsAtEnd)
            {
                var (id, wt) = header.ReadTag();
                switch (id)
                {
                    case Field.Kind: m.Kind = (MessageKind)ReadUInt(header, wt); break;
                    case Field.RequestId: WireReader.Expect(wt, WireType.VarInt); m.RequestId = header.ReadVarInt64(); break;
                    case Field.TargetInterface: m.TargetInterfaceId = (uint)ReadUInt(header, wt); break;
                    case Field.TargetKey: m.TargetKey = header.ReadLengthPrefixedStringOrNull(wt) ?? ""; break;
                    case Field.MethodInterface: m.MethodInterfaceId = (uint)ReadUInt(header, wt); break;
                    case Field.MethodId: m.MethodId = (uint)ReadUInt(header, wt); break;
                    case Field.Flags: m.Flags = (InvokeFlags)ReadUInt(header, wt); break;
                    case Field.TimeoutMs: WireReader.Expect(wt, WireType.VarInt); m.TimeoutMs = (int)Math.Clamp(header.ReadVarInt64(), 0, int.MaxValue); break;
                    case Field.TraceParent: m.TraceParent = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.TraceState: m.TraceState = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.Status: m.Status = (ResponseStatus)ReadUInt(header, wt); break;
                    case Field.ErrorType: m.ErrorType = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.ErrorMessage: m.ErrorMessage = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.CallChain: m.CallChain = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.SiloName: m.SiloName = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.SenderSilo: m.SenderSilo = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.ProbeTarget: m.ProbeTarget = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.MembershipVersion: WireReader.Expect(wt, WireType.VarInt); m.MembershipVersion = header.ReadVarInt64(); break;
                    case Field.ForwardCount: WireReader.Expect(wt, WireType.VarInt); m.ForwardCount = (int)Math.Clamp(header.ReadVarInt64(), 0, 1000); break;
                    case Field.TargetGrainType: m.TargetGrainType = header.ReadLengthPrefixedStringOrNull(wt); break;
                    case Field.Gateways: m.Gateways = header.ReadLengthPrefixedStringOrNull(wt); break;
                    default: header.Skip(wt); break;
                }
            }
            if (m.Kind is < MessageKind.Request or > MessageKind.MembershipChanged)
            {
                throw new MessageRejectedException($"Unknown message kind {(int)m.Kind}.");
            }
            m.Body = frame.AsMemory(headerStart + headerLength);
            return m;
        }
        catch (SerializationException e)
        {
            throw new MessageRejectedException("Malformed frame header: " + e.Message);
        }
    }

    /// <summary>The frame's header length and where the header starts (one reader per frame, for the header, not two).</summary>
    private static (int Length, int Start) ReadHeaderLength(byte[] frame)
    {
        uint value = 0;
        for (var i = 0; i < 5 && i < frame.Length; i++)
        {
            value |= (uint)(frame[i] & 0x7F) << (7 * i);
            if ((frame[i] & 0x80) == 0)
            {
                return ((int)Math.Min(value, int.MaxValue), i + 1);
            }
        }
        throw new MessageRejectedException("Malformed frame header length.");
    }

    private static ulong ReadUInt(WireReader reader, WireType wt)
    {
        WireReader.Expect(wt, WireType.VarInt);
        return reader.ReadVarUInt64();
    }
}
