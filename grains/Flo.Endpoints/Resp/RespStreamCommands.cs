using System.Globalization;
using Flo.Streams;
using static Flo.Endpoints.Resp.RespStreamFormat;

namespace Flo.Endpoints.Resp;

/// <summary>
/// The Redis stream commands over <see cref="StreamApi"/>: XADD, XRANGE, XREVRANGE, XREAD (BLOCK), XLEN, XTRIM, XGROUP,
/// XREADGROUP (BLOCK), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO. A Redis entry's field/value pairs are stored as the
/// record's payload (a RESP array, marked by the <c>flo-resp</c> header); a record appended by another client shows as
/// one field, <c>payload</c>, plus its headers.
/// </summary>
/// <remarks>
/// Differences from Redis, on purpose: ids are always assigned by the server (<c>XADD key * ...</c>); a stream is made by
/// its first append or group (no NOMKSTREAM/MKSTREAM distinction); <c>XREADGROUP ... &gt;</c> also hands out records whose
/// ack timeout passed (Flo's redelivery); MINID trimming, XGROUP DESTROY/SETID and XSETID are not supported.
/// </remarks>
internal sealed partial class RespStreamCommands(StreamApi streams)
{
    private int roundRobin;

    public static bool Handles(string name) => name is "XADD" or "XRANGE" or "XREVRANGE" or "XREAD" or "XLEN" or "XTRIM" or "XGROUP"
        or "XREADGROUP" or "XACK" or "XPENDING" or "XCLAIM" or "XAUTOCLAIM" or "XINFO" or "XDEL";

    public async Task ExecuteAsync(string name, byte[][] args, RespWriter reply, string ns, CancellationToken cancellationToken)
    {
        try
        {
            await (name switch
            {
                "XADD" => XAddAsync(args, reply, ns, cancellationToken),
                "XRANGE" => XRangeAsync(args, reply, ns, reverse: false, cancellationToken),
                "XREVRANGE" => XRangeAsync(args, reply, ns, reverse: true, cancellationToken),
                "XREAD" => XReadAsync(args, reply, ns, cancellationToken),
                "XLEN" => XLenAsync(args, reply, ns, cancellationToken),
                "XTRIM" => XTrimAsync(args, reply, ns, cancellationToken),
                "XGROUP" => XGroupAsync(args, reply, ns, cancellationToken),
                "XREADGROUP" => XReadGroupAsync(args, reply, ns, cancellationToken),
                "XACK" => XAckAsync(args, reply, ns, cancellationToken),
                "XPENDING" => XPendingAsync(args, reply, ns, cancellationToken),
                "XCLAIM" => XClaimAsync(args, reply, ns, cancellationToken),
                "XAUTOCLAIM" => XAutoClaimAsync(args, reply, ns, cancellationToken),
                "XINFO" => XInfoAsync(args, reply, ns, cancellationToken),
                _ => throw new RespCommandException($"'{name.ToLowerInvariant()}' is not supported by Flo streams"),
            }).ConfigureAwait(false);
        }
        catch (GroupNotFoundException e)
        {
            reply.Error("NOGROUP " + e.Message);
        }
    }

    private async Task XAddAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 5, "xadd");
        var key = Text(args[1]);
        var i = 2;
        long? maxLen = null;
        while (i < args.Length)
        {
            var option = Upper(args[i]);
            if (option == "NOMKSTREAM")
            {
                i++;
            }
            else if (option == "MAXLEN")
            {
                i++;
                if (i < args.Length && Text(args[i]) is "=" or "~")
                {
                    i++;
                }
                maxLen = Long(args[i++]);
                if (i + 1 < args.Length && Upper(args[i]) == "LIMIT")
                {
                    i += 2;
                }
            }
            else if (option == "MINID")
            {
                throw new RespCommandException("MINID trimming is not supported; use MAXLEN");
            }
            else
            {
                break;
            }
        }
        if (i >= args.Length || Text(args[i]) != "*")
        {
            throw new RespCommandException("Flo assigns stream ids: use * as the id");
        }
        i++;
        var pairs = args.Length - i;
        if (pairs == 0 || pairs % 2 != 0)
        {
            throw new RespCommandException("wrong number of arguments for 'xadd' command");
        }
        var partitions = await streams.PartitionsAsync(ns, key, ct).ConfigureAwait(false);
        var partition = partitions == 1 ? 0 : (int)((uint)Interlocked.Increment(ref roundRobin) % (uint)partitions);
        var item = new StreamAppendItem { Payload = EncodeFields(args.AsSpan(i)), Headers = new() { [FieldsHeader] = "1" } };
        var id = await streams.AppendToPartitionAsync(ns, key, partition, item, ct).ConfigureAwait(false);
        if (maxLen is { } max)
        {
            await streams.TrimAsync(ns, key, max, ct).ConfigureAwait(false);
        }
        reply.Bulk(id.ToString());
    }

    private async Task XRangeAsync(byte[][] args, RespWriter reply, string ns, bool reverse, CancellationToken ct)
    {
        Min(args, 4, reverse ? "xrevrange" : "xrange");
        var key = Text(args[1]);
        var (first, second) = (Text(args[2]), Text(args[3]));
        var start = ParseBound(reverse ? second : first, isStart: true);
        var end = ParseBound(reverse ? first : second, isStart: false);
        var count = StreamLimits.MaxBatch;
        if (args.Length >= 6 && Upper(args[4]) == "COUNT")
        {
            count = (int)Math.Clamp(Long(args[5]), 0, StreamLimits.MaxBatch);
        }
        if (count == 0 || start > end)
        {
            reply.ArrayHeader(0);
            return;
        }
        IReadOnlyList<StreamRecord> records;
        if (reverse)
        {
            records = await streams.ReadReverseAsync(ns, key, end, start, count, ct).ConfigureAwait(false);
        }
        else
        {
            records = [.. (await streams.ReadAsync(ns, key, start, count: count, cancellationToken: ct).ConfigureAwait(false)).Where(r => r.Id <= end)];
        }
        WriteEntries(reply, records);
    }

    private async Task XReadAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        var (count, block, keys, ids) = ParseReadArgs(args, 1, "xread");
        var targets = new List<(string Key, StreamId? After)>();
        for (var k = 0; k < keys.Count; k++)
        {
            if (ids[k] == "$")
            {
                var info = await streams.InfoAsync(ns, keys[k], ct).ConfigureAwait(false);
                targets.Add((keys[k], info.LastId is null ? StreamId.Min : StreamId.Parse(info.LastId)));
            }
            else
            {
                targets.Add((keys[k], ParseId(ids[k], isStart: true)));
            }
        }
        var results = await ReadOnceAsync(targets, count, 0, ns, ct).ConfigureAwait(false);
        if (results.Count == 0 && block is { } wait)
        {
            var forever = wait == 0;
            var deadline = Environment.TickCount64 + (forever ? long.MaxValue / 2 : wait);
            while (results.Count == 0 && !ct.IsCancellationRequested)
            {
                var remaining = (int)Math.Clamp(deadline - Environment.TickCount64, 0, StreamLimits.MaxBlockMs);
                if (remaining == 0)
                {
                    break;
                }
                results = await ReadOnceAsync(targets, count, remaining, ns, ct).ConfigureAwait(false);
            }
        }
        WriteKeyedEntries(reply, results);
    }

    /// <summary>Records after each target's id; with a block, waits on all targets and returns what the first to answer has.</summary>
    private async Task<List<(string Key, IReadOnlyList<StreamRecord> Records)>> ReadOnceAsync(List<(string Key, StreamId? After)> targets, int count, int blockMs, string ns, CancellationToken ct)
    {
        var reads = targets.Select(t => streams.ReadAsync(ns, t.Key, t.After?.Next() ?? StreamId.Min, count: count, blockMs: blockMs, cancellationToken: ct)).ToList();
        if (blockMs > 0 && reads.Count > 1)
        {
            await Task.WhenAny(reads).ConfigureAwait(false);
        }
        var results = new List<(string, IReadOnlyList<StreamRecord>)>();
        for (var k = 0; k < reads.Count; k++)
        {
            if (blockMs > 0 && reads.Count > 1 && !reads[k].IsCompleted)
            {
                continue;
            }
            var records = await reads[k].ConfigureAwait(false);
            if (records.Count > 0)
            {
                results.Add((targets[k].Key, records));
            }
        }
        return results;
    }

    private async Task XLenAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Exact(args, 2, "xlen");
        reply.Integer((await streams.InfoAsync(ns, Text(args[1]), ct).ConfigureAwait(false)).Length);
    }

    private async Task XTrimAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 4, "xtrim");
        if (Upper(args[2]) != "MAXLEN")
        {
            throw new RespCommandException("only MAXLEN trimming is supported");
        }
        var at = Text(args[3]) is "=" or "~" ? 4 : 3;
        if (at >= args.Length)
        {
            throw new RespCommandException("wrong number of arguments for 'xtrim' command");
        }
        reply.Integer(await streams.TrimAsync(ns, Text(args[1]), Long(args[at]), ct).ConfigureAwait(false));
    }

    private async Task XInfoAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 3, "xinfo");
        var sub = Upper(args[1]);
        var key = Text(args[2]);
        switch (sub)
        {
            case "STREAM":
                var info = await streams.InfoAsync(ns, key, ct).ConfigureAwait(false);
                var first = info.FirstId is null ? null : await streams.ReadAsync(ns, key, StreamId.Parse(info.FirstId), count: 1, cancellationToken: ct).ConfigureAwait(false);
                var last = await streams.ReadAsync(ns, key, null, tail: true, count: 1, cancellationToken: ct).ConfigureAwait(false);
                reply.ArrayHeader(14);
                reply.Bulk("length");
                reply.Integer(info.Length);
                reply.Bulk("radix-tree-keys");
                reply.Integer(0);
                reply.Bulk("radix-tree-nodes");
                reply.Integer(0);
                reply.Bulk("last-generated-id");
                reply.Bulk(info.LastId ?? "0-0");
                reply.Bulk("groups");
                reply.Integer(info.Groups.Length);
                reply.Bulk("first-entry");
                WriteEntryOrNil(reply, first is { Count: > 0 } ? first[0] : null);
                reply.Bulk("last-entry");
                WriteEntryOrNil(reply, last.Count > 0 ? last[^1] : null);
                break;
            case "GROUPS":
                var groups = (await streams.InfoAsync(ns, key, ct).ConfigureAwait(false)).Groups;
                reply.ArrayHeader(groups.Length);
                foreach (var name in groups)
                {
                    var g = await streams.GroupInfoAsync(ns, key, name, ct).ConfigureAwait(false);
                    reply.ArrayHeader(10);
                    reply.Bulk("name");
                    reply.Bulk(name);
                    reply.Bulk("consumers");
                    reply.Integer(g.ConsumerIdleMs.Count);
                    reply.Bulk("pending");
                    reply.Integer(g.Pending);
                    reply.Bulk("last-delivered-id");
                    reply.Bulk(g.Cursors.Length > 0 ? g.Cursors.Max().ToString() : "0-0");
                    reply.Bulk("lag");
                    reply.Integer(g.Lag);
                }
                break;
            case "CONSUMERS":
                Min(args, 4, "xinfo|consumers");
                var group = Text(args[3]);
                var ginfo = await streams.GroupInfoAsync(ns, key, group, ct).ConfigureAwait(false);
                var pending = await streams.GroupPendingAsync(ns, key, group, null, StreamLimits.MaxBatch, ct).ConfigureAwait(false);
                reply.ArrayHeader(ginfo.ConsumerIdleMs.Count);
                foreach (var (consumer, idle) in ginfo.ConsumerIdleMs.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    reply.ArrayHeader(6);
                    reply.Bulk("name");
                    reply.Bulk(consumer);
                    reply.Bulk("pending");
                    reply.Integer(pending.Count(p => p.Consumer == consumer));
                    reply.Bulk("idle");
                    reply.Integer(idle);
                }
                break;
            default:
                throw new RespCommandException($"XINFO {sub} is not supported (STREAM, GROUPS, CONSUMERS are)");
        }
    }
}
