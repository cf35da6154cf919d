using Flo.Cli;
using Flo.Queues;
using Flo.Tests.Shared;

namespace Flo.Cli.Tests;

[Collection(CliCollection.Name)]
[Trait("Category", "Cli")]
public sealed class QueueCliTests(SingleSiloSqlite fixture)
{
    private readonly CliRunner cli = new(fixture);
    private readonly string ns = "cli-q-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Enqueue_dequeue_with_ack_and_stats()
    {
        var low = await cli.RunAsync("queue", "enqueue", "jobs", "resize 1", "-n", ns, "--json");
        Assert.True(low.ExitCode == 0, low.ToString());
        Assert.True(low.Json.GetProperty("seq").GetInt64() > 0);
        Assert.Equal(0, (await cli.RunAsync("queue", "enqueue", "jobs", "resize 2", "--priority", "5", "-n", ns)).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("queue", "enqueue", "jobs", "later", "--delay-ms", "600000", "-n", ns)).ExitCode);

        var stats = await cli.RunAsync("queue", "stats", "jobs", "-n", ns, "--json");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Equal(3, stats.Json.GetProperty("depth").GetInt64());
        Assert.Equal(2, stats.Json.GetProperty("visible").GetInt64());
        Assert.Equal(1, stats.Json.GetProperty("delayed").GetInt64());

        // Highest priority first, and acked: gone, not in flight.
        var taken = await cli.RunAsync("queue", "dequeue", "jobs", "--ack", "-n", ns, "--json");
        Assert.True(taken.ExitCode == 0, taken.ToString());
        Assert.True(taken.Json.GetProperty("acked").GetBoolean());
        var message = Assert.Single(taken.Json.GetProperty("messages").EnumerateArray());
        Assert.Equal("resize 2", message.GetProperty("payload").GetString());
        Assert.Equal(5, message.GetProperty("priority").GetInt32());

        // Without --ack the message stays leased (in flight).
        var leased = await cli.RunAsync("queue", "dequeue", "jobs", "--count", "10", "-n", ns);
        Assert.True(leased.ExitCode == 0, leased.ToString());
        Assert.Contains("resize 1", leased.Out);
        Assert.Contains("1 message(s) leased", leased.Out);

        var table = await cli.RunAsync("queue", "stats", "jobs", "-n", ns);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(table.Out, @"│ depth\s+│ 1\s+│"), table.Out);
        Assert.Matches(@"│ in flight\s+│ 1\s+│", table.Out);
        Assert.Matches(@"│ visible\s+│ 0\s+│", table.Out);

        var list = await cli.RunAsync("queue", "list", "-n", ns, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var jobs = Assert.Single(list.Json.GetProperty("queues").EnumerateArray());
        Assert.Equal("jobs", jobs.GetProperty("name").GetString());
        Assert.Equal(1, jobs.GetProperty("depth").GetInt64());

        var empty = await cli.RunAsync("queue", "dequeue", "idle", "-n", ns, "--json");
        Assert.Empty(empty.Json.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Dlq_lists_dead_letters_with_their_error()
    {
        var client = await fixture.Cluster.ConnectAsync(options: FloClientOptions.Default with { Namespace = ns });
        await using (client)
        {
            await client.Queue.EnqueueAsync("mail", "to: ada"u8.ToArray());
            var messages = await client.Queue.DequeueAsync("mail");
            await client.Queue.NackAsync("mail", [messages[0].Seq], new NackOptions(ToDlq: true, Error: "smtp refused"));
        }

        var dlq = await cli.RunAsync("queue", "dlq", "mail", "-n", ns, "--json");
        Assert.True(dlq.ExitCode == 0, dlq.ToString());
        var dead = Assert.Single(dlq.Json.GetProperty("messages").EnumerateArray());
        Assert.Equal("to: ada", dead.GetProperty("payload").GetString());
        Assert.Equal("smtp refused", dead.GetProperty("last_error").GetString());

        var table = await cli.RunAsync("queue", "dlq", "mail", "-n", ns);
        Assert.Contains("smtp refused", table.Out);
        Assert.Contains("1 dead letter(s)", table.Out);
    }
}
