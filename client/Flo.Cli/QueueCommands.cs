using System.CommandLine;
using Flo.Queues;

namespace Flo.Cli;

/// <summary><c>flo queue enqueue|dequeue|stats|dlq|list</c>: queues.</summary>
public static class QueueCommands
{
    /// <summary>The <c>queue</c> command and its subcommands.</summary>
    public static Command Create(CliContext cli) => new("queue", "Queues: enqueue, dequeue, depths and dead letters")
    {
        Enqueue(cli), Dequeue(cli), Stats(cli), Dlq(cli), List(cli),
    };

    private static Argument<string> QueueName() => new("name") { Description = "The queue" };

    private static Command Enqueue(CliContext cli)
    {
        var name = QueueName();
        var payload = new Argument<string>("payload") { Description = "The message: UTF-8 text, @file, @- (stdin), or @@text for text starting with @" };
        var priority = new Option<int>("--priority") { Description = "Higher is served first (default 0)" };
        var delayMs = new Option<long>("--delay-ms") { Description = "Invisible for this long first" };
        var dedupKey = new Option<string?>("--dedup-key") { Description = "A repeat with this key within the queue's dedup window stores nothing and returns the first sequence number" };
        var command = new Command("enqueue", "Adds a message; prints its sequence number") { name, payload, priority, delayMs, dedupKey };
        cli.Handle(command, async (x, ct) =>
        {
            var queue = x.Get(name);
            var bytes = await x.PayloadAsync(x.Get(payload), ct).ConfigureAwait(false);
            var seq = await x.Client.Queue.EnqueueAsync(queue, bytes, new EnqueueOptions(x.Get(priority), x.Get(delayMs), x.Get(dedupKey)), ct).ConfigureAwait(false);
            x.Output.Result(new { Queue = queue, Seq = seq }, () => Output.Line($"{queue}: seq {seq}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Dequeue(CliContext cli)
    {
        var name = QueueName();
        var count = new Option<int>("--count") { Description = "Most messages leased", DefaultValueFactory = _ => 1 };
        var blockMs = new Option<int>("--block-ms") { Description = "When the queue is empty, wait up to this long" };
        var ack = new Option<bool>("--ack") { Description = "Ack (remove) the messages at once; without it they are leased and come back when the lease ends" };
        var visibilityMs = new Option<long>("--visibility-timeout-ms") { Description = "Lease length (default: the queue's, 30 s)" };
        var command = new Command("dequeue", "Leases messages, highest priority first") { name, count, blockMs, ack, visibilityMs };
        cli.Handle(command, async (x, ct) =>
        {
            var queue = x.Get(name);
            var messages = await x.Client.Queue.DequeueAsync(queue, x.Get(count), new DequeueOptions(x.Get(blockMs), x.Get(visibilityMs)), ct).ConfigureAwait(false);
            var acked = x.Get(ack);
            if (acked)
            {
                // Acked before printing: what is printed is gone from the queue, never printed and then redelivered.
                await x.Client.Queue.AckAsync(queue, [.. messages.Select(m => m.Seq)], cancellationToken: ct).ConfigureAwait(false);
            }
            x.Output.Result(
                new
                {
                    Queue = queue,
                    Acked = acked,
                    Messages = messages.Select(m =>
                    {
                        var (text, encoding) = Payloads.Describe(m.Payload);
                        return new { m.Seq, Payload = text, Encoding = encoding, m.Priority, m.Deliveries, m.EnqueuedAtMs, m.LeaseExpiresAtMs };
                    }),
                },
                () =>
                {
                    var table = Output.Table("seq", "priority", "deliveries", "enqueued", acked ? "acked" : "lease until", "payload");
                    foreach (var m in messages)
                    {
                        Output.Row(table, m.Seq.ToString(), m.Priority.ToString(), m.Deliveries.ToString(), Output.Time(m.EnqueuedAtMs), acked ? "yes" : Output.Time(m.LeaseExpiresAtMs), Payloads.Show(m.Payload));
                    }
                    return Output.Footer(table, $"{messages.Count} message(s){(acked || messages.Count == 0 ? "" : " leased: ack them or they come back when the lease ends")}");
                });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Stats(CliContext cli)
    {
        var name = QueueName();
        var command = new Command("stats", "Depth, visible, delayed, in flight and dead letters of a queue") { name };
        cli.Handle(command, async (x, ct) =>
        {
            var queue = x.Get(name);
            var stats = await x.Client.Queue.StatsAsync(queue, cancellationToken: ct).ConfigureAwait(false);
            x.Output.Result(new { Queue = queue, stats.Depth, stats.Visible, stats.Delayed, stats.InFlight, stats.Waiting, stats.DlqSize, stats.DlqDropped, stats.Partitions },
                () => Output.Fields(
                    ("queue", queue),
                    ("depth", Output.Number(stats.Depth)),
                    ("visible", Output.Number(stats.Visible)),
                    ("delayed", Output.Number(stats.Delayed)),
                    ("in flight", Output.Number(stats.InFlight)),
                    ("waiting consumers", Output.Number(stats.Waiting)),
                    ("dead letters", Output.Number(stats.DlqSize)),
                    ("dead letters dropped", Output.Number(stats.DlqDropped)),
                    ("partitions", stats.Partitions.ToString())));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Dlq(CliContext cli)
    {
        var name = QueueName();
        var limit = new Option<int>("--limit") { Description = "Most dead letters printed (1 to 1,000)", DefaultValueFactory = _ => 100 };
        var afterSeq = new Option<long>("--after-seq") { Description = "Continue after this sequence number" };
        var command = new Command("dlq", "A queue's dead letters with their last error") { name, limit, afterSeq };
        cli.Handle(command, async (x, ct) =>
        {
            var queue = x.Get(name);
            var dead = await x.Client.Queue.DlqListAsync(queue, new DlqListOptions(x.Get(limit), x.Get(afterSeq)), ct).ConfigureAwait(false);
            x.Output.Result(
                new
                {
                    Queue = queue,
                    Messages = dead.Select(m =>
                    {
                        var (text, encoding) = Payloads.Describe(m.Payload);
                        return new { m.Seq, Payload = text, Encoding = encoding, m.Priority, m.Deliveries, m.LastError, m.EnqueuedAtMs, m.DeadAtMs };
                    }),
                },
                () =>
                {
                    var table = Output.Table("seq", "deliveries", "dead since", "last error", "payload");
                    foreach (var m in dead)
                    {
                        Output.Row(table, m.Seq.ToString(), m.Deliveries.ToString(), Output.Time(m.DeadAtMs), m.LastError ?? "-", Payloads.Show(m.Payload));
                    }
                    return Output.Footer(table, $"{dead.Count} dead letter(s)");
                });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext cli)
    {
        var limit = new Option<int>("--limit") { Description = "Most queues printed (1 to 1,000)", DefaultValueFactory = _ => 100 };
        var after = new Option<string?>("--after") { Description = "Continue after this queue name" };
        var command = new Command("list", "The namespace's queues with depth, in flight and dead letters") { limit, after };
        cli.Handle(command, async (x, ct) =>
        {
            var queues = await x.Client.Management.QueuesAsync(null, x.Get(after), x.Get(limit), ct).ConfigureAwait(false);
            x.Output.Result(
                new { Namespace = x.Connection.Namespace, Queues = queues.Select(q => new { q.Name, q.Stats.Depth, q.Stats.Visible, q.Stats.Delayed, q.Stats.InFlight, q.Stats.Waiting, q.Stats.DlqSize, q.Stats.DlqDropped, q.Stats.Partitions }) },
                () =>
                {
                    var table = Output.Table("queue", "depth", "visible", "delayed", "in flight", "dead letters", "partitions");
                    foreach (var q in queues)
                    {
                        Output.Row(table, q.Name, Output.Number(q.Stats.Depth), Output.Number(q.Stats.Visible), Output.Number(q.Stats.Delayed), Output.Number(q.Stats.InFlight), Output.Number(q.Stats.DlqSize), q.Stats.Partitions.ToString());
                    }
                    return Output.Footer(table, $"{queues.Count} queue(s) in namespace '{x.Connection.Namespace}'");
                });
            return ExitCodes.Ok;
        });
        return command;
    }
}
