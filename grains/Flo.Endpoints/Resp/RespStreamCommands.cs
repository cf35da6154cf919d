using System.Buffers;
using System.Globalization;
using System.Text;
using Flo.Streams;

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
internal sealed class RespStreamCommands(StreamApi streams)
{
    private const string FieldsHeader = "flo-resp";
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
        catch (GroupNotFoundException)
        {
            reply.Error($"NOGROUP No such key '{Text(args[1 + (name == "XREADGROUP" ? 0 : 0)])}' or consumer group in '{name}' command");
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

    private async Task XGroupAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 2, "xgroup");
        var sub = Upper(args[1]);
        switch (sub)
        {
            case "CREATE":
                Min(args, 5, "xgroup|create");
                var (key, group, id) = (Text(args[2]), Text(args[3]), Text(args[4]));
                try
                {
                    await streams.GroupInfoAsync(ns, key, group, ct).ConfigureAwait(false);
                    reply.Error("BUSYGROUP Consumer Group name already exists");
                    return;
                }
                catch (GroupNotFoundException)
                {
                }
                await streams.GroupJoinAsync(ns, key, group, "", id == "$" ? null : ParseId(id, isStart: true), null, ct).ConfigureAwait(false);
                reply.Ok();
                break;
            case "CREATECONSUMER":
                Min(args, 5, "xgroup|createconsumer");
                var existing = await streams.GroupInfoAsync(ns, Text(args[2]), Text(args[3]), ct).ConfigureAwait(false);
                var consumer = Text(args[4]);
                await streams.GroupJoinAsync(ns, Text(args[2]), Text(args[3]), consumer, null, null, ct).ConfigureAwait(false);
                reply.Integer(existing.ConsumerIdleMs.ContainsKey(consumer) ? 0 : 1);
                break;
            case "DELCONSUMER":
                Min(args, 5, "xgroup|delconsumer");
                var pending = await streams.GroupPendingAsync(ns, Text(args[2]), Text(args[3]), Text(args[4]), StreamLimits.MaxBatch, ct).ConfigureAwait(false);
                await streams.GroupLeaveAsync(ns, Text(args[2]), Text(args[3]), Text(args[4]), ct).ConfigureAwait(false);
                reply.Integer(pending.Length);
                break;
            default:
                throw new RespCommandException($"XGROUP {sub} is not supported (CREATE, CREATECONSUMER, DELCONSUMER are)");
        }
    }

    private async Task XReadGroupAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 7, "xreadgroup");
        if (Upper(args[1]) != "GROUP")
        {
            throw new RespCommandException("syntax error: XREADGROUP GROUP group consumer ...");
        }
        var (group, consumer) = (Text(args[2]), Text(args[3]));
        var noAck = args.Skip(4).Any(a => Upper(a) == "NOACK");
        var (count, block, keys, ids) = ParseReadArgs([.. args.Where((a, i) => i < 4 || Upper(a) != "NOACK")], 4, "xreadgroup");
        var results = new List<(string, IReadOnlyList<StreamRecord>)>();
        for (var k = 0; k < keys.Count; k++)
        {
            IReadOnlyList<StreamRecord> records;
            if (ids[k] == ">")
            {
                var wait = block is { } b ? (b == 0 ? StreamLimits.MaxBlockMs : (int)Math.Min(b, StreamLimits.MaxBlockMs)) : 0;
                records = await streams.GroupReadAsync(ns, keys[k], group, consumer, count, keys.Count == 1 ? wait : 0, ct).ConfigureAwait(false);
                if (noAck && records.Count > 0)
                {
                    await streams.GroupAckAsync(ns, keys[k], group, [.. records.Select(r => new StreamPendingKey(r.Partition, r.Id))], ct).ConfigureAwait(false);
                }
            }
            else
            {
                // The consumer's own pending records after the id (its history), as Redis does for ids other than ">".
                var after = ParseId(ids[k], isStart: true);
                var pending = await streams.GroupPendingAsync(ns, keys[k], group, consumer, StreamLimits.MaxBatch, ct).ConfigureAwait(false);
                var list = new List<StreamRecord>();
                foreach (var entry in pending.Where(p => p.Id > after).OrderBy(p => p.Id).Take(count))
                {
                    var found = await streams.ReadAsync(ns, keys[k], entry.Id, count: 1, partition: entry.Partition, cancellationToken: ct).ConfigureAwait(false);
                    if (found.Count == 1 && found[0].Id == entry.Id)
                    {
                        list.Add(found[0]);
                    }
                }
                records = list;
            }
            if (records.Count > 0 || ids[k] != ">")
            {
                results.Add((keys[k], records));
            }
        }
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

    private async Task XAckAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 4, "xack");
        var key = Text(args[1]);
        var keys = await AllPartitionKeysAsync(ns, key, args.Skip(3), ct).ConfigureAwait(false);
        reply.Integer(await streams.GroupAckAsync(ns, key, Text(args[2]), keys, ct).ConfigureAwait(false));
    }

    private async Task XPendingAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 3, "xpending");
        var (key, group) = (Text(args[1]), Text(args[2]));
        if (args.Length == 3)
        {
            var all = await streams.GroupPendingAsync(ns, key, group, null, StreamLimits.MaxBatch, ct).ConfigureAwait(false);
            reply.ArrayHeader(4);
            reply.Integer(all.Length);
            if (all.Length == 0)
            {
                reply.Nil();
                reply.Nil();
                reply.NilArray();
                return;
            }
            reply.Bulk(all.Min(p => p.Id).ToString());
            reply.Bulk(all.Max(p => p.Id).ToString());
            var byConsumer = all.GroupBy(p => p.Consumer).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            reply.ArrayHeader(byConsumer.Count);
            foreach (var c in byConsumer)
            {
                reply.ArrayHeader(2);
                reply.Bulk(c.Key);
                reply.Bulk(c.Count().ToString(CultureInfo.InvariantCulture));
            }
            return;
        }
        var i = 3;
        long minIdle = 0;
        if (Upper(args[i]) == "IDLE")
        {
            minIdle = Long(args[i + 1]);
            i += 2;
        }
        if (args.Length < i + 3)
        {
            throw new RespCommandException("wrong number of arguments for 'xpending' command");
        }
        var start = ParseBound(Text(args[i]), isStart: true);
        var end = ParseBound(Text(args[i + 1]), isStart: false);
        var count = (int)Math.Clamp(Long(args[i + 2]), 0, StreamLimits.MaxBatch);
        string? consumer = args.Length > i + 3 ? Text(args[i + 3]) : null;
        var entries = count == 0 ? [] : (await streams.GroupPendingAsync(ns, key, group, consumer, StreamLimits.MaxBatch, ct).ConfigureAwait(false))
            .Where(p => p.Id >= start && p.Id <= end && p.IdleMs >= minIdle).OrderBy(p => p.Id).Take(count).ToList();
        reply.ArrayHeader(entries.Count);
        foreach (var p in entries)
        {
            reply.ArrayHeader(4);
            reply.Bulk(p.Id.ToString());
            reply.Bulk(p.Consumer);
            reply.Integer(p.IdleMs);
            reply.Integer(p.Deliveries);
        }
    }

    private async Task XClaimAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 6, "xclaim");
        var (key, group, consumer) = (Text(args[1]), Text(args[2]), Text(args[3]));
        var minIdle = Long(args[4]);
        var idArgs = new List<byte[]>();
        var justId = false;
        for (var i = 5; i < args.Length; i++)
        {
            var word = Upper(args[i]);
            if (word == "JUSTID")
            {
                justId = true;
            }
            else if (word is "IDLE" or "TIME" or "RETRYCOUNT" or "LASTID")
            {
                i++;
            }
            else if (word == "FORCE")
            {
            }
            else
            {
                idArgs.Add(args[i]);
            }
        }
        var keys = await AllPartitionKeysAsync(ns, key, idArgs, ct).ConfigureAwait(false);
        var records = await streams.GroupClaimAsync(ns, key, group, consumer, minIdle, keys, ct).ConfigureAwait(false);
        WriteEntries(reply, records, justId);
    }

    private async Task XAutoClaimAsync(byte[][] args, RespWriter reply, string ns, CancellationToken ct)
    {
        Min(args, 6, "xautoclaim");
        var (key, group, consumer) = (Text(args[1]), Text(args[2]), Text(args[3]));
        var minIdle = Long(args[4]);
        var count = 100;
        var justId = false;
        for (var i = 6; i < args.Length; i++)
        {
            if (Upper(args[i]) == "COUNT" && i + 1 < args.Length)
            {
                count = (int)Math.Clamp(Long(args[++i]), 1, StreamLimits.MaxBatch);
            }
            else if (Upper(args[i]) == "JUSTID")
            {
                justId = true;
            }
        }
        var records = await streams.GroupAutoClaimAsync(ns, key, group, consumer, minIdle, count, ct).ConfigureAwait(false);
        reply.ArrayHeader(3);
        reply.Bulk("0-0");
        WriteEntries(reply, records, justId);
        reply.ArrayHeader(0);
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

    /// <summary>An id named without a partition could be in any: address it in every partition (acking a non-pending one is a no-op).</summary>
    private async Task<StreamPendingKey[]> AllPartitionKeysAsync(string ns, string key, IEnumerable<byte[]> ids, CancellationToken ct)
    {
        var partitions = await streams.PartitionsAsync(ns, key, ct).ConfigureAwait(false);
        var parsed = ids.Select(a => ParseId(Text(a), isStart: true)).ToList();
        return [.. parsed.SelectMany(id => Enumerable.Range(0, partitions).Select(p => new StreamPendingKey(p, id)))];
    }

    private static (int Count, long? Block, List<string> Keys, List<string> Ids) ParseReadArgs(byte[][] args, int from, string command)
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

    private static void WriteEntries(RespWriter reply, IReadOnlyList<StreamRecord> records, bool justId = false)
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

    private static void WriteEntryOrNil(RespWriter reply, StreamRecord? record)
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

    private static void WriteEntry(RespWriter reply, StreamRecord r)
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

    private static byte[] EncodeFields(ReadOnlySpan<byte[]> fields)
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

    private static byte[][]? DecodeFields(byte[] payload)
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
    private static StreamId ParseBound(string text, bool isStart)
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

    private static StreamId ParseId(string text, bool isStart)
    {
        if (!StreamId.TryParse(text, out var id))
        {
            throw new RespCommandException("Invalid stream ID specified as stream command argument");
        }
        // "ms" alone means the whole millisecond: from its first sequence, or up to its last.
        return !text.Contains('-') && !isStart ? new StreamId(id.TimestampMs, long.MaxValue) : id;
    }

    private static string Text(byte[] raw) => Encoding.UTF8.GetString(raw);

    private static string Upper(byte[] raw) => Encoding.ASCII.GetString(raw).ToUpperInvariant();

    private static long Long(byte[] raw)
        => long.TryParse(Encoding.ASCII.GetString(raw), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RespCommandException("value is not an integer or out of range");

    private static void Min(byte[][] args, int minimum, string name)
    {
        if (args.Length < minimum)
        {
            throw new RespCommandException($"wrong number of arguments for '{name}' command");
        }
    }

    private static void Exact(byte[][] args, int expected, string name)
    {
        if (args.Length != expected)
        {
            throw new RespCommandException($"wrong number of arguments for '{name}' command");
        }
    }
}
