using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Flo.Cli;
using Flo.Tests.Shared;

namespace Flo.Cli.Tests;

[Collection(CliCollection.Name)]
[Trait("Category", "Cli")]
public sealed class ClusterCliTests(SingleSiloSqlite fixture)
{
    private readonly CliRunner cli = new(fixture);

    [Fact]
    public async Task Members_shows_the_silo_with_activations_and_calls_per_second()
    {
        var silo = fixture.Cluster.ActiveSilos.Single();
        var json = await cli.RunAsync("cluster", "members", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var member = Assert.Single(json.Json.GetProperty("silos").EnumerateArray());
        Assert.Equal(silo.SiloAddress.ToParsableString(), member.GetProperty("address").GetString());
        Assert.Equal("Active", member.GetProperty("status").GetString());
        Assert.Equal(PlatformTestCluster.Gateway(silo), member.GetProperty("gateway").GetString());
        Assert.True(member.GetProperty("activations").GetInt32() > 0);
        // Two readings a second apart give a rate (one reading alone has none: null).
        Assert.True(member.GetProperty("calls_per_second").GetDouble() >= 0, json.Out);

        var table = await cli.RunAsync("cluster", "members", "--sample-ms", "0", "--gateway", fixture.Cluster.Gateways);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(silo.SiloAddress.ToParsableString(), table.Out);
        Assert.Contains("1 silo(s)", table.Out);
    }

    [Fact]
    public async Task Health_reports_a_healthy_cluster()
    {
        var json = await cli.RunAsync("cluster", "health", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.True(json.Json.GetProperty("healthy").GetBoolean());
        Assert.Equal(1, json.Json.GetProperty("active_silos").GetInt32());
        Assert.True(json.Json.GetProperty("round_trip_ms").GetDouble() >= 0);

        var table = await cli.RunAsync("cluster", "health");
        Assert.Matches(@"│ healthy\s+│ yes\s+│", table.Out);
    }

    [Fact]
    public async Task A_usage_error_exits_1_with_the_reason_on_stderr_only()
    {
        var missing = await cli.RunAsync("kv", "get", "--json");
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Equal("", missing.Out);
        Assert.Contains("Required argument 'key' missing", missing.Error);
        Assert.Contains("Run 'flo kv get --help' for usage.", missing.Error);

        var unknown = await cli.RunAsync("kv", "fetch", "x", "--json");
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Equal("", unknown.Out);
        Assert.Contains("fetch", unknown.Error);

        var notANumber = await cli.RunAsync("queue", "dequeue", "jobs", "--count", "many");
        Assert.Equal(ExitCodes.Usage, notANumber.ExitCode);
        Assert.Contains("many", notANumber.Error);

        var badGateway = await cli.RunAsync("cluster", "health", "--gateway", "localhost");
        Assert.Equal(ExitCodes.Usage, badGateway.ExitCode);
        Assert.Contains("gateway 'localhost' is not host:port", badGateway.Error);

        var help = await cli.RunAsync("--help");
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        foreach (var command in new[] { "kv", "queue", "stream", "action", "schedule", "cluster" })
        {
            Assert.Contains(command, help.Out);
        }
    }

    [Fact]
    public async Task An_unreachable_gateway_exits_5_within_seconds()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var watch = Stopwatch.StartNew();
        var refused = await cli.RunAsync("kv", "get", "x", "--gateway", $"127.0.0.1:{port}", "--json");
        Assert.Equal(ExitCodes.Unavailable, refused.ExitCode);
        Assert.Equal("", refused.Out);
        Assert.Contains($"127.0.0.1:{port}", refused.Error);
        Assert.Contains("refused", refused.Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");

        // A gateway that accepts but is not this cluster's (another cluster id): the connect deadline ends it.
        cli.Variables["FLO_CONNECT_TIMEOUT_MS"] = "1500";
        watch.Restart();
        var foreign = await cli.RunAsync("cluster", "health", "--cluster-id", "someone-else");
        Assert.Equal(ExitCodes.Unavailable, foreign.ExitCode);
        Assert.Contains("1500 ms", foreign.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }
}
