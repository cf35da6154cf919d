using System.CommandLine;
using Flo.Streams;
using Spectre.Console.Rendering;

namespace Flo.Cli;

/// <summary><c>flo stream append|read|tail|groups|list</c>: streams.</summary>
public static class StreamCommands
{
    /// <summary>The <c>stream</c> command and its subcommands.</summary>
    public static Command Create(CliContext cli) => new("stream", "Streams: append, read, follow, consumer groups")
    {
        Append(cli), Read(cli), Tail(cli), Groups(cli), List(cli),
    };

    private static Argument<string> StreamName() => new("name") { Description = "The stream" };

    /// <summary>A <c>--from</c> option whose malformed id is a usage error, not a server round trip.</summary>
    private static Option<StreamId?> From(string description) => new("--from")
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : null;
            if (StreamId.TryParse(text, out var id))
            {
                return id;
            }
            r.AddError($"'{text}' is not a stream id (timestampMs-sequence, e.g. 1767225600000-0).");
            return null;
        },
    };

    private static Command Append(CliContext cli)
    {
        var name = StreamName();
        var payload = new Argument<string>("payload") { Description = "The record: UTF-8 text, @file, @- (stdin), or @@text for text starting with @" };
        var partitionKey = new Option<string?>("--partition-key") { Description = "Records with one key go to one partition, in order" };
        var headers = new Option<string[]>("--header") { Description = "A header name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("append", "Appends a record; prints its id") { name, payload, partitionKey, headers };
        cli.Handle(command, async (x, ct) =>
        {
            var stream = x.Get(name);
            var bytes = await x.PayloadAsync(x.Get(payload), ct).ConfigureAwait(false);
            Dictionary<string, string>? map = null;
            foreach (var header in x.Get(headers) ?? [])
            {
                var eq = header.IndexOf('=');
                if (eq <= 0)
                {
                    throw CliException.Usage($"--header '{header}' is not name=value");
                }
                (map ??= [])[header[..eq]] = header[(eq + 1)..];
            }
            var id = await x.Client.Stream.AppendAsync(stream, bytes, new AppendOptions(x.Get(partitionKey), map), ct).ConfigureAwait(false);
            x.Output.Result(new { Stream = stream, Id = id.ToString() }, () => Output.Line($"{stream}: {id}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Read(CliContext cli)
    {
        var name = StreamName();
        var from = From("Read from this id, inclusive (default: the oldest record)");
        var count = new Option<int>("--count") { Description = "Most records printed (1 to 10,000)", DefaultValueFactory = _ => 100 };
        var tail = new Option<bool>("--tail") { Description = "The newest --count records instead" };
        var command = new Command("read", "Records from a position, or the newest ones") { name, from, count, tail };
        command.Validators.Add(r =>
        {
            if (r.GetValue(tail) && r.GetResult(from) is not null)
            {
                r.AddError("--tail and --from exclude each other.");
            }
        });
        cli.Handle(command, async (x, ct) =>
        {
            var stream = x.Get(name);
            var records = await x.Client.Stream.ReadAsync(stream, new StreamReadOptions(Start: x.Get(from), Tail: x.Get(tail), Count: x.Get(count)), ct).ConfigureAwait(false);
            x.Output.Result(new { Stream = stream, Records = records.Select(Json) }, () =>
            {
                var table = Output.Table("id", "partition", "time", "headers", "payload");
                foreach (var r in records)
                {
                    Output.Row(table, r.Id.ToString(), r.Partition.ToString(), Output.Time(r.TimestampMs), Headers(r), Payloads.Show(r.Payload));
                }
                return Output.Footer(table, records.Count == 0 ? "no records" : $"{records.Count} record(s); next: --from {records[^1].Id.Next()}");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Tail(CliContext cli)
    {
        var name = StreamName();
        var from = From("Start at this id, inclusive (default: only records appended from now on)");
        var command = new Command("tail", "Prints records as they are appended, until Ctrl+C (JSON Lines with --json)") { name, from };
        cli.Handle(command, async (x, ct) =>
        {
            var stream = x.Get(name);
            try
            {
                await foreach (var record in x.Client.Stream.SubscribeAsync(stream, new StreamSubscribeOptions(x.Get(from)), ct).ConfigureAwait(false))
                {
                    x.Output.Item(Json(record), () => TailLine(record));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C is how a tail ends.
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Groups(CliContext cli)
    {
        var name = StreamName();
        var command = new Command("groups", "A stream's consumer groups: consumers, pending, lag, dead letters") { name };
        cli.Handle(command, async (x, ct) =>
        {
            var stream = x.Get(name);
            var info = await x.Client.Stream.InfoAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            var groups = new List<StreamGroupInfo>(info.Groups.Length);
            foreach (var group in info.Groups)
            {
                groups.Add(await x.Client.Stream.GroupInfoAsync(stream, group, cancellationToken: ct).ConfigureAwait(false));
            }
            x.Output.Result(
                new
                {
                    Stream = stream,
                    Groups = groups.Select(g => new
                    {
                        g.Name,
                        Consumers = g.ConsumerIdleMs.Select(c => new { Name = c.Key, IdleMs = c.Value }),
                        g.Pending,
                        g.Lag,
                        g.DlqSize,
                        Cursors = g.Cursors.Select(c => c.ToString()),
                    }),
                },
                () =>
                {
                    var table = Output.Table("group", "consumers", "pending", "lag", "dead letters", "cursor");
                    foreach (var g in groups)
                    {
                        Output.Row(table, g.Name, string.Join(", ", g.ConsumerIdleMs.Keys.Order(StringComparer.Ordinal)), Output.Number(g.Pending), Output.Number(g.Lag), Output.Number(g.DlqSize), string.Join(", ", g.Cursors));
                    }
                    return Output.Footer(table, $"{groups.Count} group(s) on '{stream}'");
                });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext cli)
    {
        var limit = new Option<int>("--limit") { Description = "Most streams printed (1 to 1,000)", DefaultValueFactory = _ => 100 };
        var after = new Option<string?>("--after") { Description = "Continue after this stream name" };
        var command = new Command("list", "The namespace's streams with length and their groups' lag") { limit, after };
        cli.Handle(command, async (x, ct) =>
        {
            var streams = await x.Client.Management.StreamsAsync(null, x.Get(after), x.Get(limit), ct).ConfigureAwait(false);
            x.Output.Result(
                new
                {
                    Namespace = x.Connection.Namespace,
                    Streams = streams.Select(s => new { s.Name, s.Info.Length, s.Info.Bytes, s.Info.Partitions, s.Info.FirstId, s.Info.LastId, s.Groups }),
                },
                () =>
                {
                    var table = Output.Table("stream", "length", "bytes", "partitions", "last id", "groups (lag)");
                    foreach (var s in streams)
                    {
                        Output.Row(table, s.Name, Output.Number(s.Info.Length), Output.Number(s.Info.Bytes), s.Info.Partitions.ToString(), s.Info.LastId ?? "-",
                            string.Join(", ", s.Groups.Select(g => $"{g.Name} ({g.Lag})")));
                    }
                    return Output.Footer(table, $"{streams.Count} stream(s) in namespace '{x.Connection.Namespace}'");
                });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static object Json(StreamRecord r)
    {
        var (text, encoding) = Payloads.Describe(r.Payload);
        return new { Id = r.Id.ToString(), r.Partition, r.TimestampMs, r.Headers, Payload = text, Encoding = encoding };
    }

    private static string Headers(StreamRecord r)
        => r.Headers is { Count: > 0 } h ? string.Join(", ", h.Select(p => $"{p.Key}={p.Value}")) : "";

    private static IRenderable TailLine(StreamRecord r)
        => Output.Line($"{r.Id}  {Payloads.Show(r.Payload)}{(r.Headers is { Count: > 0 } ? "  [" + Headers(r) + "]" : "")}");
}
