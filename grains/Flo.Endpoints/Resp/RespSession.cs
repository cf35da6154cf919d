using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Flo.Kv;
using Microsoft.Extensions.Logging;

namespace Flo.Endpoints.Resp;

/// <summary>
/// One RESP connection: reads every complete command in the buffer, runs them in order (replies must come back in
/// order), writes each reply into the pipe and flushes once per batch, so pipelined clients (<c>redis-benchmark -P 16</c>)
/// get one write per batch. The selected database is the namespace: 0 is <c>default</c>, n is <c>db{n}</c>, and a
/// valid namespace name may be selected directly.
/// </summary>
internal sealed partial class RespSession(IDuplexPipe transport, KvApi kv, RespStreamCommands streamCommands, ILogger logger, string remote)
{
    private readonly Dictionary<long, string> scanCursors = [];
    private long nextScanCursor = 1;
    private string ns = "default";
    private bool quit;

    /// <summary>
    /// An incomplete command at least this large is moved out of the transport's pipe into <see cref="carry"/>: the
    /// pipe stops the socket at 1 MiB of unconsumed bytes, and a command larger than that would never complete.
    /// </summary>
    private const int CarryThreshold = 256 * 1024;

    /// <summary>Most bytes one incomplete command may hold (Redis' client query buffer limit, scaled to our bulk limit).</summary>
    private const int MaxQueryBuffer = 4 * RespReader.MaxBulkLength;

    /// <summary>How long, at most, the bytes a client still sends after a protocol error are read and dropped.</summary>
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(10);

    /// <summary>After a protocol error, a client that sends nothing for this long is not sending more: close.</summary>
    private static readonly TimeSpan DrainIdleTime = TimeSpan.FromSeconds(1);

    /// <summary>Bytes taken out of the pipe that start an incomplete command (large values), or null.</summary>
    private byte[]? carry;
    private int carryLength;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var input = transport.Input;
        var output = transport.Output;
        try
        {
            while (!quit)
            {
                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (carry is not null)
                {
                    Carry(buffer);
                    input.AdvanceTo(buffer.End);
                    buffer = new ReadOnlySequence<byte>(carry, 0, carryLength);
                }
                var batch = new List<byte[][]>();
                try
                {
                    while (RespReader.TryReadCommand(ref buffer, out var args))
                    {
                        if (args.Length > 0)
                        {
                            batch.Add(args);
                        }
                    }
                    if (buffer.Length > MaxQueryBuffer)
                    {
                        throw new RespProtocolException("query buffer limit reached", $"{buffer.Length} bytes of one incomplete command");
                    }
                }
                catch (RespProtocolException e)
                {
                    await ExecuteBatchAsync(batch, output, cancellationToken).ConfigureAwait(false);
                    new RespWriter(output).Error($"Protocol error: {e.Message}");
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    LogProtocolError(logger, remote, e.Detail is null ? e.Message : $"{e.Message} ({e.Detail})");
                    if (carry is null)
                    {
                        input.AdvanceTo(result.Buffer.End);
                    }
                    ReleaseCarry();
                    await DrainAsync(input, result.IsCompleted, cancellationToken).ConfigureAwait(false);
                    return;
                }
                var wrote = batch.Count > 0;
                await ExecuteBatchAsync(batch, output, cancellationToken).ConfigureAwait(false);
                if (carry is not null)
                {
                    KeepInCarry(buffer);
                }
                else if (buffer.Length >= CarryThreshold && !result.IsCompleted)
                {
                    StartCarry(buffer);
                    input.AdvanceTo(result.Buffer.End);
                }
                else
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (wrote)
                {
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            ReleaseCarry();
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a protocol error: reads and drops what the client still sends (the rest of an oversized value) until it
    /// closes, sends nothing for <see cref="DrainIdleTime"/>, or <see cref="DrainTime"/> passes. Closing with unread
    /// bytes would reset the connection, and a client still writing (<c>redis-cli -x SET k &lt; 20MB</c>) would never
    /// read the error reply.
    /// </summary>
    private static async Task DrainAsync(PipeReader input, bool completed, CancellationToken cancellationToken)
    {
        if (completed)
        {
            return;
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(DrainTime);
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
                idle.CancelAfter(DrainIdleTime);
                var result = await input.ReadAsync(idle.Token).ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void StartCarry(ReadOnlySequence<byte> incomplete)
    {
        carry = ArrayPool<byte>.Shared.Rent((int)Math.Max(2 * incomplete.Length, 1024 * 1024));
        incomplete.CopyTo(carry);
        carryLength = (int)incomplete.Length;
    }

    /// <summary>Appends newly read bytes to the carried incomplete command.</summary>
    private void Carry(ReadOnlySequence<byte> read)
    {
        var needed = carryLength + read.Length;
        if (needed > carry!.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, 2L * carry.Length), (long)MaxQueryBuffer + read.Length));
            carry.AsSpan(0, carryLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(carry);
            carry = larger;
        }
        read.CopyTo(carry.AsSpan(carryLength));
        carryLength = (int)needed;
    }

    /// <summary>Keeps what was not parsed (at the front of the carry); back to reading the pipe directly once it is empty.</summary>
    private void KeepInCarry(ReadOnlySequence<byte> rest)
    {
        var length = (int)rest.Length;
        if (length == 0)
        {
            ReleaseCarry();
            return;
        }
        var start = carryLength - length;
        carry.AsSpan(start, length).CopyTo(carry);
        carryLength = length;
    }

    private void ReleaseCarry()
    {
        if (carry is not null)
        {
            ArrayPool<byte>.Shared.Return(carry);
            carry = null;
            carryLength = 0;
        }
    }

    /// <summary>
    /// Runs a batch of pipelined commands with replies in order. Consecutive single-key commands on distinct keys run
    /// concurrently (each replies into its own buffer, copied out in order); a command on a key already in the run,
    /// or any other command (SELECT, SCAN, MSET...), waits for the run before it, so a pipeline behaves as if its
    /// commands ran one after another.
    /// </summary>
    private async Task ExecuteBatchAsync(List<byte[][]> batch, PipeWriter output, CancellationToken cancellationToken)
    {
        var i = 0;
        while (i < batch.Count && !quit)
        {
            if (SingleKey(batch[i]) is null || i + 1 == batch.Count || SingleKey(batch[i + 1]) is null)
            {
                await ExecuteAsync(batch[i], new RespWriter(output), cancellationToken).ConfigureAwait(false);
                i++;
                continue;
            }
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var run = new List<(Task Done, ArrayBufferWriter<byte> Reply)>();
            while (i < batch.Count && SingleKey(batch[i]) is { } key && keys.Add(key))
            {
                var reply = new ArrayBufferWriter<byte>(64);
                run.Add((ExecuteAsync(batch[i], new RespWriter(reply), cancellationToken), reply));
                i++;
            }
            foreach (var (done, reply) in run)
            {
                await done.ConfigureAwait(false);
                output.Write(reply.WrittenSpan);
            }
        }
    }

    /// <summary>The key of a command that touches exactly one key and nothing else; null otherwise.</summary>
    private static string? SingleKey(byte[][] args)
    {
        if (args.Length < 2)
        {
            return null;
        }
        var name = args[0];
        bool Is(ReadOnlySpan<byte> command) => name.AsSpan().SequenceEqual(command) || Ascii.EqualsIgnoreCase(name, command);
        var single = Is("GET"u8) || Is("SET"u8) || Is("SETNX"u8) || Is("SETEX"u8) || Is("PSETEX"u8) || Is("INCR"u8) || Is("DECR"u8) || Is("INCRBY"u8) || Is("DECRBY"u8)
            || Is("TTL"u8) || Is("PTTL"u8) || Is("EXPIRE"u8) || Is("PEXPIRE"u8)
            || ((Is("DEL"u8) || Is("EXISTS"u8) || Is("UNLINK"u8)) && args.Length == 2);
        return single ? Encoding.UTF8.GetString(args[1]) : null;
    }

    private async Task ExecuteAsync(byte[][] args, RespWriter reply, CancellationToken cancellationToken)
    {
        var name = Encoding.ASCII.GetString(args[0]).ToUpperInvariant();
        try
        {
            switch (name)
            {
                case "GET":
                    Arity(args, 2, name);
                    var entry = await kv.GetAsync(ns, Key(args[1]), 0, cancellationToken).ConfigureAwait(false);
                    if (entry is null)
                    {
                        reply.Nil();
                    }
                    else
                    {
                        reply.Bulk(entry.Value);
                    }
                    break;
                case "SET":
                    await SetAsync(args, reply, cancellationToken).ConfigureAwait(false);
                    break;
                case "SETNX":
                    Arity(args, 3, name);
                    try
                    {
                        await kv.PutAsync(ns, Key(args[1]), args[2], new KvPutCondition { IfNotExists = true }, cancellationToken).ConfigureAwait(false);
                        reply.Integer(1);
                    }
                    catch (KeyExistsException)
                    {
                        reply.Integer(0);
                    }
                    break;
                case "SETEX":
                case "PSETEX":
                    Arity(args, 4, name);
                    var ttl = Integer(args[2]);
                    if (ttl <= 0)
                    {
                        throw new RespCommandException($"invalid expire time in '{name.ToLowerInvariant()}' command");
                    }
                    await kv.PutAsync(ns, Key(args[1]), args[3], new KvPutCondition { TtlMilliseconds = name == "SETEX" ? checked(ttl * 1000) : ttl }, cancellationToken).ConfigureAwait(false);
                    reply.Ok();
                    break;
                case "DEL":
                case "UNLINK":
                    MinArity(args, 2, name);
                    var deleted = 0;
                    for (var i = 1; i < args.Length; i++)
                    {
                        deleted += await kv.DeleteAsync(ns, Key(args[i]), cancellationToken).ConfigureAwait(false) ? 1 : 0;
                    }
                    reply.Integer(deleted);
                    break;
                case "EXISTS":
                    MinArity(args, 2, name);
                    var exists = 0;
                    for (var i = 1; i < args.Length; i++)
                    {
                        exists += await kv.GetAsync(ns, Key(args[i]), 0, cancellationToken).ConfigureAwait(false) is null ? 0 : 1;
                    }
                    reply.Integer(exists);
                    break;
                case "MGET":
                    MinArity(args, 2, name);
                    var values = await Task.WhenAll(args.Skip(1).Select(a => kv.GetAsync(ns, Key(a), 0, cancellationToken))).ConfigureAwait(false);
                    reply.ArrayHeader(values.Length);
                    foreach (var v in values)
                    {
                        if (v is null)
                        {
                            reply.Nil();
                        }
                        else
                        {
                            reply.Bulk(v.Value);
                        }
                    }
                    break;
                case "MSET":
                    if (args.Length < 3 || args.Length % 2 == 0)
                    {
                        throw new RespCommandException($"wrong number of arguments for '{name.ToLowerInvariant()}' command");
                    }
                    var puts = new List<Task>();
                    for (var i = 1; i < args.Length; i += 2)
                    {
                        puts.Add(kv.PutAsync(ns, Key(args[i]), args[i + 1], KvPutCondition.None, cancellationToken));
                    }
                    await Task.WhenAll(puts).ConfigureAwait(false);
                    reply.Ok();
                    break;
                case "INCR":
                case "DECR":
                    Arity(args, 2, name);
                    reply.Integer(await IncrementAsync(Key(args[1]), name == "INCR" ? 1 : -1, cancellationToken).ConfigureAwait(false));
                    break;
                case "INCRBY":
                case "DECRBY":
                    Arity(args, 3, name);
                    var by = Integer(args[2]);
                    reply.Integer(await IncrementAsync(Key(args[1]), name == "INCRBY" ? by : checked(-by), cancellationToken).ConfigureAwait(false));
                    break;
                case "EXPIRE":
                case "PEXPIRE":
                    Arity(args, 3, name);
                    var amount = Integer(args[2]);
                    reply.Integer(await ExpireAsync(Key(args[1]), name == "EXPIRE" ? checked(amount * 1000) : amount, cancellationToken).ConfigureAwait(false) ? 1 : 0);
                    break;
                case "TTL":
                case "PTTL":
                    Arity(args, 2, name);
                    var current = await kv.GetAsync(ns, Key(args[1]), 0, cancellationToken).ConfigureAwait(false);
                    if (current is null)
                    {
                        reply.Integer(-2);
                    }
                    else if (current.ExpiresAtMs == 0)
                    {
                        reply.Integer(-1);
                    }
                    else
                    {
                        var left = Math.Max(0, current.ExpiresAtMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                        reply.Integer(name == "TTL" ? (left + 999) / 1000 : left);
                    }
                    break;
                case "SCAN":
                    await ScanAsync(args, reply, cancellationToken).ConfigureAwait(false);
                    break;
                case "SELECT":
                    Arity(args, 2, name);
                    var db = Encoding.UTF8.GetString(args[1]);
                    var selected = long.TryParse(db, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? (n == 0 ? "default" : "db" + n.ToString(CultureInfo.InvariantCulture)) : db;
                    KvKeys.ValidateNamespace(selected);
                    ns = selected;
                    reply.Ok();
                    break;
                case "PING":
                    if (args.Length > 1)
                    {
                        reply.Bulk(args[1]);
                    }
                    else
                    {
                        reply.Simple("PONG");
                    }
                    break;
                case "ECHO":
                    Arity(args, 2, name);
                    reply.Bulk(args[1]);
                    break;
                case "HELLO":
                    await HelloAsync(args, reply).ConfigureAwait(false);
                    break;
                case "CLIENT":
                    var sub = args.Length > 1 ? Encoding.ASCII.GetString(args[1]).ToUpperInvariant() : "";
                    if (sub == "ID")
                    {
                        reply.Integer(1);
                    }
                    else if (sub == "GETNAME")
                    {
                        reply.Nil();
                    }
                    else
                    {
                        reply.Ok();
                    }
                    break;
                case "CONFIG":
                    // redis-benchmark asks for "save" and "appendonly"; answer those two like a Redis without persistence.
                    var parameter = args.Length > 2 ? Encoding.ASCII.GetString(args[2]).ToLowerInvariant() : "";
                    if (parameter is "save" or "appendonly")
                    {
                        reply.ArrayHeader(2);
                        reply.Bulk(parameter);
                        reply.Bulk(parameter == "save" ? "" : "no");
                    }
                    else
                    {
                        reply.ArrayHeader(0);
                    }
                    break;
                case "COMMAND":
                    // Clients probe this; an empty answer means "nothing to tell".
                    reply.ArrayHeader(0);
                    break;
                case "INFO":
                    reply.Bulk("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nflo:kv\r\n");
                    break;
                case "QUIT":
                    reply.Ok();
                    quit = true;
                    break;
                case var stream when RespStreamCommands.Handles(stream):
                    await streamCommands.ExecuteAsync(stream, args, reply, ns, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    reply.Error($"ERR unknown command '{name.ToLowerInvariant()}', with args beginning with: {string.Join(' ', args.Skip(1).Take(3).Select(a => "'" + Encoding.UTF8.GetString(a) + "'"))}");
                    break;
            }
        }
        catch (RespCommandException e)
        {
            reply.Error(e.Message);
        }
        catch (FloException e)
        {
            // Typed KV errors (bad key, value too large, bad namespace, unavailable, timeout) become error replies.
            reply.Error(e.Message);
        }
    }

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
                await kv.PutAsync(ns, key, args[2], condition, cancellationToken).ConfigureAwait(false);
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
            var current = await kv.GetAsync(ns, key, 0, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                reply.Nil();
                return;
            }
            try
            {
                await kv.PutAsync(ns, key, args[2], condition with { CasVersion = current.Version }, cancellationToken).ConfigureAwait(false);
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
            var current = await kv.GetAsync(ns, key, 0, cancellationToken).ConfigureAwait(false);
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
            var current = await kv.GetAsync(ns, key, 0, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return false;
            }
            if (ttlMs <= 0)
            {
                return await kv.DeleteAsync(ns, key, cancellationToken).ConfigureAwait(false);
            }
            try
            {
                await kv.PutAsync(ns, key, current.Value, new KvPutCondition { CasVersion = current.Version, TtlMilliseconds = ttlMs }, cancellationToken).ConfigureAwait(false);
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

    private static Task HelloAsync(byte[][] args, RespWriter reply)
    {
        if (args.Length > 1 && Encoding.ASCII.GetString(args[1]) is var version && version != "2")
        {
            // RESP3 is not spoken; clients fall back to RESP2.
            reply.Error("NOPROTO sorry, this protocol version is not supported");
            return Task.CompletedTask;
        }
        reply.ArrayHeader(14);
        reply.Bulk("server");
        reply.Bulk("redis");
        reply.Bulk("version");
        reply.Bulk("7.0.0");
        reply.Bulk("proto");
        reply.Integer(2);
        reply.Bulk("id");
        reply.Integer(1);
        reply.Bulk("mode");
        reply.Bulk("standalone");
        reply.Bulk("role");
        reply.Bulk("master");
        reply.Bulk("modules");
        reply.ArrayHeader(0);
        return Task.CompletedTask;
    }

    private static string Key(byte[] raw)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            throw new RespCommandException("keys must be valid UTF-8");
        }
    }

    private static long Integer(byte[] raw)
        => long.TryParse(Encoding.ASCII.GetString(raw), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new RespCommandException("value is not an integer or out of range");

    private static void Arity(byte[][] args, int expected, string name)
    {
        if (args.Length != expected)
        {
            throw new RespCommandException($"wrong number of arguments for '{name.ToLowerInvariant()}' command");
        }
    }

    private static void MinArity(byte[][] args, int minimum, string name)
    {
        if (args.Length < minimum)
        {
            throw new RespCommandException($"wrong number of arguments for '{name.ToLowerInvariant()}' command");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closing RESP connection from {Remote}: {Reason}")]
    private static partial void LogProtocolError(ILogger logger, string remote, string reason);
}

/// <summary>A command's own error, sent as an <c>-ERR</c> reply; the connection stays open.</summary>
internal sealed class RespCommandException(string message) : Exception(message);
