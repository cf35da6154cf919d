using Flo.Cli;
using Flo.Streams;
using StreamId = Flo.Streams.StreamId;
using Flo.Tests.Shared;

namespace Flo.Cli.Tests;

[Collection(CliCollection.Name)]
[Trait("Category", "Cli")]
public sealed class StreamCliTests(SingleSiloSqlite fixture)
{
    private readonly CliRunner cli = new(fixture);
    private readonly string ns = "cli-s-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Append_read_groups_and_list()
    {
        var client = await fixture.Cluster.ConnectAsync(options: FloClientOptions.Default with { Namespace = ns });
        await using var _ = client;
        await client.Stream.GroupJoinAsync("events", "billing", "worker-1", new StreamGroupJoinOptions(StartAfter: StreamId.Min));

        var ids = new List<string>();
        foreach (var payload in new[] { "click", "view", "buy" })
        {
            var append = await cli.RunAsync("stream", "append", "events", payload, "--header", "source=cli", "-n", ns, "--json");
            Assert.True(append.ExitCode == 0, append.ToString());
            ids.Add(append.Json.GetProperty("id").GetString()!);
        }
        Assert.True(StreamId.Parse(ids[0]) < StreamId.Parse(ids[2]));

        var all = await cli.RunAsync("stream", "read", "events", "-n", ns, "--json");
        Assert.True(all.ExitCode == 0, all.ToString());
        var records = all.Json.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(["click", "view", "buy"], records.Select(r => r.GetProperty("payload").GetString()));
        Assert.Equal(ids, records.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("cli", records[0].GetProperty("headers").GetProperty("source").GetString());

        var from = await cli.RunAsync("stream", "read", "events", "--from", ids[1], "--count", "1", "-n", ns, "--json");
        Assert.Equal(["view"], from.Json.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("payload").GetString()));

        var tail = await cli.RunAsync("stream", "read", "events", "--tail", "--count", "1", "-n", ns);
        Assert.Contains("buy", tail.Out);
        Assert.DoesNotContain("click", tail.Out);

        // One record delivered to the group, not acked: pending 1, lag 2.
        await client.Stream.GroupReadAsync("events", "billing", "worker-1", new StreamGroupReadOptions(Count: 1));
        var groups = await cli.RunAsync("stream", "groups", "events", "-n", ns, "--json");
        Assert.True(groups.ExitCode == 0, groups.ToString());
        var billing = Assert.Single(groups.Json.GetProperty("groups").EnumerateArray());
        Assert.Equal("billing", billing.GetProperty("name").GetString());
        Assert.Equal(1, billing.GetProperty("pending").GetInt64());
        Assert.Equal(2, billing.GetProperty("lag").GetInt64());
        Assert.Equal("worker-1", Assert.Single(billing.GetProperty("consumers").EnumerateArray()).GetProperty("name").GetString());

        var table = await cli.RunAsync("stream", "groups", "events", "-n", ns);
        Assert.Matches(@"│ billing\s+│ worker-1\s+│ 1\s+│ 2\s+│", table.Out);

        var list = await cli.RunAsync("stream", "list", "-n", ns, "--json");
        var events = Assert.Single(list.Json.GetProperty("streams").EnumerateArray());
        Assert.Equal(3, events.GetProperty("length").GetInt64());

        var badId = await cli.RunAsync("stream", "read", "events", "--from", "yesterday", "-n", ns);
        Assert.Equal(ExitCodes.Usage, badId.ExitCode);
        Assert.Contains("'yesterday' is not a stream id", badId.Error);
    }

    [Fact]
    public async Task Tail_follows_appends_until_cancelled()
    {
        var output = new LockedWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tailing = cli.RunAsync(output, stop.Token, "stream", "tail", "ticks", "--from", "0-0", "-n", ns);
        var client = await fixture.Cluster.ConnectAsync(options: FloClientOptions.Default with { Namespace = ns });
        await using (client)
        {
            var first = await client.Stream.AppendAsync("ticks", "tick 1"u8.ToArray());
            await output.WaitForAsync($"{first}  tick 1", TimeSpan.FromSeconds(10));
            var second = await client.Stream.AppendAsync("ticks", "tick 2"u8.ToArray());
            await output.WaitForAsync($"{second}  tick 2", TimeSpan.FromSeconds(10));
        }
        stop.Cancel();
        var result = await tailing;
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(2, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
