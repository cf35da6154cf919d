using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Flo.Kv;
using Flo.Security;
using Microsoft.Extensions.Logging;

namespace Flo.Endpoints.Resp;

/// <summary>
/// One RESP connection: reads every complete command in the buffer, runs them in order (replies must come back in
/// order), writes each reply into the pipe and flushes once per batch, so pipelined clients (<c>redis-benchmark -P 16</c>)
/// get one write per batch. The selected database is the namespace: 0 is <c>default</c>, n is <c>db{n}</c>, and a
/// valid namespace name may be selected directly. With tokens configured, the connection signs in with AUTH first and
/// every command is checked against its token's grant on the selected namespace (<c>RespSession.Auth.cs</c>).
/// </summary>
internal sealed partial class RespSession(IDuplexPipe transport, KvApi kv, RespStreamCommands streamCommands, FloAccessControl access, ILogger logger, string remote)
{
    private readonly Dictionary<long, string> scanCursors = [];
    private long nextScanCursor = 1;
    private string ns = "default";
    private bool quit;

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
    /// The token KV commands pass on: none. Each is a grain call (or a few) that finishes on its own and cannot be taken
    /// back once sent; after the connection closed nothing waits for its reply anyway, while the connection's token cost
    /// a registration and an allocation per command (profiled at ~3 % of a SET's CPU).
    /// </summary>
    private static CancellationToken OneCall => CancellationToken.None;

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

    // Pooled state machine (awaited once by its caller): reused from command to command instead of allocated per command.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExecuteAsync(byte[][] args, RespWriter reply, CancellationToken cancellationToken)
    {
        var name = Encoding.ASCII.GetString(args[0]).ToUpperInvariant();
        if (Refused(name, reply))
        {
            return;
        }
        try
        {
            switch (name)
            {
                case "AUTH":
                    Auth(args, reply);
                    break;
                case "GET":
                    Arity(args, 2, name);
                    var entry = await kv.GetAsync(ns, Key(args[1]), 0, OneCall).ConfigureAwait(false);
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
                        await kv.PutAsync(ns, Key(args[1]), args[2], new KvPutCondition { IfNotExists = true }, OneCall).ConfigureAwait(false);
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
                    await kv.PutAsync(ns, Key(args[1]), args[3], new KvPutCondition { TtlMilliseconds = name == "SETEX" ? checked(ttl * 1000) : ttl }, OneCall).ConfigureAwait(false);
                    reply.Ok();
                    break;
                case "DEL":
                case "UNLINK":
                    MinArity(args, 2, name);
                    var deleted = 0;
                    for (var i = 1; i < args.Length; i++)
                    {
                        deleted += await kv.DeleteAsync(ns, Key(args[i]), OneCall).ConfigureAwait(false) ? 1 : 0;
                    }
                    reply.Integer(deleted);
                    break;
                case "EXISTS":
                    MinArity(args, 2, name);
                    var exists = 0;
                    for (var i = 1; i < args.Length; i++)
                    {
                        exists += await kv.GetAsync(ns, Key(args[i]), 0, OneCall).ConfigureAwait(false) is null ? 0 : 1;
                    }
                    reply.Integer(exists);
                    break;
                case "MGET":
                    MinArity(args, 2, name);
                    var values = await Task.WhenAll(args.Skip(1).Select(a => kv.GetAsync(ns, Key(a), 0, OneCall))).ConfigureAwait(false);
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
                        puts.Add(kv.PutAsync(ns, Key(args[i]), args[i + 1], KvPutCondition.None, OneCall));
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
                    var current = await kv.GetAsync(ns, Key(args[1]), 0, OneCall).ConfigureAwait(false);
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
                    if (!MaySelect(selected))
                    {
                        reply.Error(NoPerm(name, selected, write: false));
                        break;
                    }
                    ns = selected;
                    GrantsChanged();
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
                    Hello(args, reply);
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

    /// <summary>HELLO [2 [AUTH username token] [SETNAME name]]: RESP2 only; AUTH signs in as the AUTH command does.</summary>
    private void Hello(byte[][] args, RespWriter reply)
    {
        if (args.Length > 1 && Encoding.ASCII.GetString(args[1]) is var version && version != "2")
        {
            // RESP3 is not spoken; clients fall back to RESP2.
            reply.Error("NOPROTO sorry, this protocol version is not supported");
            return;
        }
        for (var i = 2; i < args.Length; i++)
        {
            var option = Encoding.ASCII.GetString(args[i]).ToUpperInvariant();
            if (option == "AUTH" && i + 2 < args.Length)
            {
                if (!access.Enabled)
                {
                    reply.Error(NoPasswordConfigured);
                    return;
                }
                if (!SignIn(args[i + 2]))
                {
                    reply.Error(WrongPass);
                    return;
                }
                i += 2;
            }
            else if (option == "SETNAME" && i + 1 < args.Length)
            {
                i++;
            }
            else
            {
                throw new RespCommandException($"syntax error in 'hello' option '{option.ToLowerInvariant()}'");
            }
        }
        if (access.Enabled && grant is null)
        {
            reply.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
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
    }

    /// <summary>UTF-8 that throws on invalid bytes; one instance (it is thread-safe), not one per command.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Key(byte[] raw)
    {
        try
        {
            return StrictUtf8.GetString(raw);
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
