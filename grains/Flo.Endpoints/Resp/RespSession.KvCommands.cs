using System.Globalization;
using System.Text;
using Flo.Kv;

namespace Flo.Endpoints.Resp;

/// <summary>
/// The KV commands that are more than one grain call: <c>SET</c> with its options, <c>INCR</c>-style read-modify-write
/// with CAS, <c>EXPIRE</c>, <c>SCAN</c> with session cursors.
/// </summary>
internal sealed partial class RespSession
{
    private async Task SetAsync(byte[][] args, RespWriter reply, CancellationToken cancellationToken)
    {
        MinArity(args, 3, "SET");
        var key = Key(args[1]);
        long? ttlMs = null;
        bool nx = false, xx = false;
        for (var i = 3; i < args.Length; i++)
        {
            var option = Encoding.ASCII.GetString(args[i]).ToUpperInvariant();
            switch (option)
            {
                case "EX" or "PX" when i + 1 < args.Length:
                    var amount = Integer(args[++i]);
                    if (amount <= 0)
                    {
                        throw new RespCommandException("invalid expire time in 'set' command");
                    }
                    ttlMs = option == "EX" ? checked(amount * 1000) : amount;
                    break;
                case "NX":
                    nx = true;
                    break;
                case "XX":
                    xx = true;
                    break;
                default:
                    throw new RespCommandException("syntax error");
            }
        }
        if (nx && xx)
        {
            throw new RespCommandException("syntax error");
        }
        var condition = new KvPutCondition { TtlMilliseconds = ttlMs, IfNotExists = nx };
        if (!xx)
        {
            try
            {
                await kv.PutAsync(ns, key, args[2], condition, OneCall).ConfigureAwait(false);
                reply.Ok();
            }
            catch (KeyExistsException)
            {
                reply.Nil();
            }
            return;
        }
        // XX: only if the key exists, i.e. a CAS on the version just read (retried if another writer got there).
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var current = await kv.GetAsync(ns, key, 0, OneCall).ConfigureAwait(false);
            if (current is null)
            {
                reply.Nil();
                return;
            }
            try
            {
                await kv.PutAsync(ns, key, args[2], condition with { CasVersion = current.Version }, OneCall).ConfigureAwait(false);
                reply.Ok();
                return;
            }
            catch (VersionConflictException)
            {
            }
        }
        throw new RespCommandException("too much contention on the key, try again");
    }

    /// <summary>Read, add, CAS-write; retried on a concurrent write. Keeps the key's TTL, as Redis does.</summary>
    private async Task<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var current = await kv.GetAsync(ns, key, 0, OneCall).ConfigureAwait(false);
            long value = 0;
            if (current is not null && !long.TryParse(Encoding.UTF8.GetString(current.Value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            {
                throw new RespCommandException("value is not an integer or out of range");
            }
            long next;
            try
            {
                next = checked(value + delta);
            }
            catch (OverflowException)
            {
                throw new RespCommandException("increment or decrement would overflow");
            }
            var ttl = current is { ExpiresAtMs: > 0 } e ? Math.Max(1, e.ExpiresAtMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) : (long?)null;
            try
            {
                await kv.PutAsync(ns, key, Encoding.UTF8.GetBytes(next.ToString(CultureInfo.InvariantCulture)),
                    new KvPutCondition { CasVersion = current?.Version ?? 0, TtlMilliseconds = ttl }, cancellationToken).ConfigureAwait(false);
                return next;
            }
            catch (VersionConflictException)
            {
            }
        }
        throw new RespCommandException("too much contention on the key, try again");
    }

    /// <summary>Sets a TTL by rewriting the value under CAS; a non-positive TTL deletes the key (Redis semantics).</summary>
    private async Task<bool> ExpireAsync(string key, long ttlMs, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var current = await kv.GetAsync(ns, key, 0, OneCall).ConfigureAwait(false);
            if (current is null)
            {
                return false;
            }
            if (ttlMs <= 0)
            {
                return await kv.DeleteAsync(ns, key, OneCall).ConfigureAwait(false);
            }
            try
            {
                await kv.PutAsync(ns, key, current.Value, new KvPutCondition { CasVersion = current.Version, TtlMilliseconds = ttlMs }, OneCall).ConfigureAwait(false);
                return true;
            }
            catch (VersionConflictException)
            {
            }
        }
        throw new RespCommandException("too much contention on the key, try again");
    }

    /// <summary>
    /// SCAN with integer cursors as Redis clients expect: each page's KV cursor is kept per connection under a small
    /// number. MATCH supports <c>prefix*</c> (and <c>*</c>); other glob patterns are refused.
    /// </summary>
    private async Task ScanAsync(byte[][] args, RespWriter reply, CancellationToken cancellationToken)
    {
        MinArity(args, 2, "SCAN");
        var cursorNumber = Integer(args[1]);
        var prefix = "";
        var count = 10;
        for (var i = 2; i < args.Length; i++)
        {
            var option = Encoding.ASCII.GetString(args[i]).ToUpperInvariant();
            if (option == "MATCH" && i + 1 < args.Length)
            {
                var pattern = Encoding.UTF8.GetString(args[++i]);
                var star = pattern.IndexOfAny(['*', '?', '[', '\\']);
                if (star >= 0 && (star != pattern.Length - 1 || pattern[star] != '*'))
                {
                    throw new RespCommandException("only 'prefix*' MATCH patterns are supported");
                }
                prefix = star >= 0 ? pattern[..star] : pattern;
            }
            else if (option == "COUNT" && i + 1 < args.Length)
            {
                count = (int)Math.Clamp(Integer(args[++i]), 1, KvKeys.MaxScanLimit);
            }
            else if (option == "TYPE" && i + 1 < args.Length)
            {
                i++;
            }
            else
            {
                throw new RespCommandException("syntax error");
            }
        }
        string? kvCursor = null;
        if (cursorNumber != 0 && !scanCursors.Remove(cursorNumber, out kvCursor))
        {
            throw new RespCommandException("invalid cursor");
        }
        var page = await kv.ScanAsync(ns, prefix, count, kvCursor, cancellationToken).ConfigureAwait(false);
        long next = 0;
        if (page.HasMore && page.Cursor is not null)
        {
            next = nextScanCursor++;
            scanCursors[next] = page.Cursor;
        }
        reply.ArrayHeader(2);
        reply.Bulk(next.ToString(CultureInfo.InvariantCulture));
        reply.ArrayHeader(page.Keys.Count);
        foreach (var key in page.Keys)
        {
            reply.Bulk(key);
        }
    }
}
