using System.Globalization;
using Flo.Streams;
using static Flo.Endpoints.Resp.RespStreamFormat;

namespace Flo.Endpoints.Resp;

/// <summary>The consumer-group commands: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.</summary>
internal sealed partial class RespStreamCommands
{
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
        WriteKeyedEntries(reply, results);
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

    /// <summary>An id named without a partition could be in any: address it in every partition (acking a non-pending one is a no-op).</summary>
    private async Task<StreamPendingKey[]> AllPartitionKeysAsync(string ns, string key, IEnumerable<byte[]> ids, CancellationToken ct)
    {
        var partitions = await streams.PartitionsAsync(ns, key, ct).ConfigureAwait(false);
        var parsed = ids.Select(a => ParseId(Text(a), isStart: true)).ToList();
        return [.. parsed.SelectMany(id => Enumerable.Range(0, partitions).Select(p => new StreamPendingKey(p, id)))];
    }
}
