using System.CommandLine;
using Flo.Kv;
using Spectre.Console.Rendering;

namespace Flo.Cli;

/// <summary><c>flo kv get|put|del|scan|watch</c>: the KV store.</summary>
public static class KvCommands
{
    /// <summary>The <c>kv</c> command and its subcommands.</summary>
    public static Command Create(CliContext cli) => new("kv", "The KV store: read, write, delete, list and follow keys")
    {
        Get(cli), Put(cli), Delete(cli), Scan(cli), Watch(cli),
    };

    private static Command Get(CliContext cli)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var blockMs = new Option<int>("--block-ms") { Description = "If the key does not exist, wait up to this long for it" };
        var command = new Command("get", "A key's value, version and expiry (exit 2 when it does not exist)") { key, blockMs };
        cli.Handle(command, async (x, ct) =>
        {
            var name = x.Get(key);
            var entry = await x.Client.Kv.GetAsync(name, new GetOptions(BlockMs: x.Get(blockMs)), ct).ConfigureAwait(false)
                ?? throw CliException.NotFound($"key '{name}' not found in namespace '{x.Connection.Namespace}'");
            var (value, encoding) = Payloads.Describe(entry.Value);
            x.Output.Result(
                new { entry.Key, Value = value, Encoding = encoding, entry.Version, entry.CreatedMs, entry.UpdatedMs, entry.ExpiresAtMs },
                () => Output.Fields(
                    ("key", entry.Key),
                    ("value", Payloads.Show(entry.Value)),
                    ("version", entry.Version.ToString()),
                    ("updated", Output.Time(entry.UpdatedMs)),
                    ("created", Output.Time(entry.CreatedMs)),
                    ("expires", Output.Time(entry.ExpiresAtMs))));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Put(CliContext cli)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var value = new Argument<string>("value") { Description = "The value: UTF-8 text, @file, @- (stdin), or @@text for text starting with @" };
        var ttlMs = new Option<long?>("--ttl-ms") { Description = "Expire the key after this many milliseconds (a put without it clears an earlier TTL)" };
        var ifVersion = new Option<long?>("--if-version") { Description = "Write only if the key's current version is this (CAS; exit 3 otherwise)" };
        var ifAbsent = new Option<bool>("--if-absent") { Description = "Write only if the key does not exist (exit 3 otherwise)" };
        ttlMs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is <= 0)
            {
                r.AddError("--ttl-ms must be positive (leave it out for no expiry).");
            }
        });
        var command = new Command("put", "Writes a value; prints the key's new version") { key, value, ttlMs, ifVersion, ifAbsent };
        command.Validators.Add(r =>
        {
            if (r.GetValue(ifVersion) is not null && r.GetValue(ifAbsent))
            {
                r.AddError("--if-version and --if-absent exclude each other (--if-version 0 also means 'must not exist').");
            }
        });
        cli.Handle(command, async (x, ct) =>
        {
            var name = x.Get(key);
            var bytes = await x.PayloadAsync(x.Get(value), ct).ConfigureAwait(false);
            var ttl = x.Get(ttlMs);
            long version;
            if (ttl is { } ms && ms % 1000 != 0)
            {
                // The client's options take whole seconds; the store itself keeps millisecond TTLs, so a finer one goes
                // through the store's API on the same connection.
                version = await new KvApi(x.Client.Grains).PutAsync(x.Connection.Namespace, name, bytes,
                    new KvPutCondition { TtlMilliseconds = ms, CasVersion = x.Get(ifVersion), IfNotExists = x.Get(ifAbsent) }, ct).ConfigureAwait(false);
            }
            else
            {
                version = await x.Client.Kv.PutAsync(name, bytes, new PutOptions(TtlSeconds: ttl / 1000, CasVersion: x.Get(ifVersion), IfNotExists: x.Get(ifAbsent)), ct).ConfigureAwait(false);
            }
            x.Output.Result(new { Key = name, Version = version }, () => Output.Line($"{name}: version {version}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliContext cli)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var command = new Command("del", "Deletes a key (exit 2 when it did not exist)") { key };
        command.Aliases.Add("delete");
        cli.Handle(command, async (x, ct) =>
        {
            var name = x.Get(key);
            if (!await x.Client.Kv.DeleteAsync(name, cancellationToken: ct).ConfigureAwait(false))
            {
                throw CliException.NotFound($"key '{name}' not found in namespace '{x.Connection.Namespace}'");
            }
            x.Output.Result(new { Key = name, Deleted = true }, () => Output.Line($"{name}: deleted"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Scan(CliContext cli)
    {
        var prefix = new Argument<string>("prefix") { Description = "Keys starting with this (none: every key)", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "" };
        var limit = new Option<int>("--limit") { Description = "Most keys printed", DefaultValueFactory = _ => 100 };
        var cursor = new Option<string?>("--cursor") { Description = "Continue a scan where the previous one stopped (its cursor)" };
        var command = new Command("scan", "Keys with a prefix, in UTF-8 byte order") { prefix, limit, cursor };
        cli.Handle(command, async (x, ct) =>
        {
            var wanted = x.Get(limit);
            if (wanted < 1)
            {
                throw new KvArgumentException($"--limit must be at least 1; got {wanted}.");
            }
            var keys = new List<string>();
            var next = x.Get(cursor);
            var more = true;
            while (more && keys.Count < wanted)
            {
                // Pages of at most the store's maximum; the last page asks only for what is still wanted.
                var page = await x.Client.Kv.ScanAsync(x.Get(prefix), new ScanOptions(Limit: Math.Min(wanted - keys.Count, 1000), Cursor: next), ct).ConfigureAwait(false);
                keys.AddRange(page.Keys);
                more = page.HasMore;
                next = page.Cursor;
            }
            x.Output.Result(new { Prefix = x.Get(prefix), Keys = keys, HasMore = more, Cursor = more ? next : null }, () =>
            {
                var table = Output.Table("key");
                foreach (var k in keys)
                {
                    Output.Row(table, k);
                }
                return more
                    ? Output.Footer(table, $"more keys: flo kv scan '{x.Get(prefix)}' --cursor {next}")
                    : Output.Footer(table, $"{keys.Count} key(s)");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Watch(CliContext cli)
    {
        var key = new Argument<string>("key") { Description = "The key" };
        var fromVersion = new Option<long?>("--from-version") { Description = "Print the versions after this one (default: the current version, then every change)" };
        var command = new Command("watch", "Prints each version of a key as it is written, until Ctrl+C (JSON Lines with --json)") { key, fromVersion };
        cli.Handle(command, async (x, ct) =>
        {
            var name = x.Get(key);
            var after = x.Get(fromVersion);
            if (after is null)
            {
                // Start with the key as it is now (its newest version, or its delete), so the watcher need not get it first.
                var newest = await x.Client.Kv.HistoryAsync(name, new HistoryOptions(Limit: 1), ct).ConfigureAwait(false);
                after = newest.Count > 0 ? newest[0].Version - 1 : 0;
            }
            try
            {
                await foreach (var version in x.Client.Kv.WatchAsync(name, after.Value, cancellationToken: ct).ConfigureAwait(false))
                {
                    var (value, encoding) = Payloads.Describe(version.Value);
                    x.Output.Item(
                        new { Key = name, version.Version, Deleted = version.IsTombstone, Value = version.IsTombstone ? null : value, Encoding = encoding, version.TimestampMs, version.ExpiresAtMs },
                        () => WatchLine(version));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C is how a watch ends.
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static IRenderable WatchLine(KvVersion version)
        => Output.Line($"{Output.Time(version.TimestampMs)}  v{version.Version}  {(version.IsTombstone ? "(deleted)" : Payloads.Show(version.Value))}");
}
