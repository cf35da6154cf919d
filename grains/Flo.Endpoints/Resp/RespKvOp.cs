using System.Globalization;
using System.Text;
using Flo.Kv;

namespace Flo.Endpoints.Resp;

/// <summary>How the reply of a batched KV command is written from its <see cref="KvOpResult"/>.</summary>
internal enum RespKvReply
{
    /// <summary>GET: the value, or nil.</summary>
    Value,

    /// <summary>SET, SETEX, PSETEX: +OK.</summary>
    Ok,

    /// <summary>SET ... NX: +OK, or nil when the key exists.</summary>
    OkOrNil,

    /// <summary>SETNX: 1, or 0 when the key exists.</summary>
    OneOrZero,

    /// <summary>DEL/UNLINK of one key: 1 when it was deleted, else 0.</summary>
    Deleted,

    /// <summary>EXISTS of one key: 1 or 0.</summary>
    Exists,
}

/// <summary>
/// A pipelined command that travels as one <see cref="KvOp"/> of its key's batch (<see cref="IKvKeyGrain.Execute"/>).
/// Only plain, valid forms are batched; anything else (XX, INCR, a bad TTL or key) takes the ordinary path, which
/// also reports its errors.
/// </summary>
internal readonly record struct RespKvOp(KvOp Op, RespKvReply Reply)
{
    public static bool TryParse(byte[][] args, int maxValueBytes, out RespKvOp op)
    {
        op = default;
        var name = args[0];
        bool Is(ReadOnlySpan<byte> command) => name.AsSpan().SequenceEqual(command) || Ascii.EqualsIgnoreCase(name, command);
        if (args.Length < 2 || !ValidKey(args[1]))
        {
            return false;
        }
        if (args.Length == 2)
        {
            if (Is("GET"u8))
            {
                op = new(KvOp.Get(), RespKvReply.Value);
                return true;
            }
            if (Is("EXISTS"u8))
            {
                op = new(KvOp.Get(), RespKvReply.Exists);
                return true;
            }
            if (Is("DEL"u8) || Is("UNLINK"u8))
            {
                op = new(KvOp.Delete(), RespKvReply.Deleted);
                return true;
            }
            return false;
        }
        if (Is("SET"u8))
        {
            return TryParseSet(args, maxValueBytes, out op);
        }
        if (Is("SETNX"u8) && args.Length == 3 && args[2].Length <= maxValueBytes)
        {
            op = new(KvOp.Put(args[2], new KvPutCondition { IfNotExists = true }), RespKvReply.OneOrZero);
            return true;
        }
        if ((Is("SETEX"u8) || Is("PSETEX"u8)) && args.Length == 4 && args[3].Length <= maxValueBytes && Positive(args[2], out var ttl))
        {
            var ms = Is("SETEX"u8) ? ttl * 1000 : ttl;
            op = new(KvOp.Put(args[3], new KvPutCondition { TtlMilliseconds = ms }), RespKvReply.Ok);
            return true;
        }
        return false;
    }

    /// <summary>Writes the reply for <paramref name="result"/>.</summary>
    public void WriteReply(RespWriter reply, in KvOpResult result)
    {
        switch (Reply)
        {
            case RespKvReply.Value when result.Entry is { } entry:
                reply.Bulk(entry.Value);
                break;
            case RespKvReply.Value:
                reply.Nil();
                break;
            case RespKvReply.Ok:
                reply.Ok();
                break;
            case RespKvReply.OkOrNil when result.PutStatus == KvPutStatus.Ok:
                reply.Ok();
                break;
            case RespKvReply.OkOrNil:
                reply.Nil();
                break;
            case RespKvReply.OneOrZero:
                reply.Integer(result.PutStatus == KvPutStatus.Ok ? 1 : 0);
                break;
            case RespKvReply.Deleted:
                reply.Integer(result.Deleted ? 1 : 0);
                break;
            default:
                reply.Integer(result.Entry is null ? 0 : 1);
                break;
        }
    }

    /// <summary>SET key value [EX s | PX ms] [NX]; XX and other options are not batched.</summary>
    private static bool TryParseSet(byte[][] args, int maxValueBytes, out RespKvOp op)
    {
        op = default;
        if (args[2].Length > maxValueBytes)
        {
            return false;
        }
        long? ttlMs = null;
        var nx = false;
        for (var i = 3; i < args.Length; i++)
        {
            var option = args[i];
            if ((Ascii.EqualsIgnoreCase(option, "EX"u8) || Ascii.EqualsIgnoreCase(option, "PX"u8)) && ttlMs is null && i + 1 < args.Length && Positive(args[i + 1], out var amount))
            {
                ttlMs = Ascii.EqualsIgnoreCase(option, "EX"u8) ? amount * 1000 : amount;
                i++;
            }
            else if (Ascii.EqualsIgnoreCase(option, "NX"u8) && !nx)
            {
                nx = true;
            }
            else
            {
                return false;
            }
        }
        var condition = ttlMs is null && !nx ? KvPutCondition.None : new KvPutCondition { TtlMilliseconds = ttlMs, IfNotExists = nx };
        op = new(KvOp.Put(args[2], condition), nx ? RespKvReply.OkOrNil : RespKvReply.Ok);
        return true;
    }

    /// <summary>A positive integer small enough to be milliseconds after ×1000.</summary>
    private static bool Positive(byte[] raw, out long value)
        => long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is > 0 and < long.MaxValue / 1000;

    private static bool ValidKey(byte[] raw)
    {
        if (!System.Text.Unicode.Utf8.IsValid(raw))
        {
            return false;
        }
        try
        {
            KvKeys.ValidateKey(Encoding.UTF8.GetString(raw));
            return true;
        }
        catch (KvArgumentException)
        {
            return false;
        }
    }
}
