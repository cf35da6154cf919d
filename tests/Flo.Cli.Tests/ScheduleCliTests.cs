using Flo.Actions;
using Flo.Cli;
using Flo.Tests.Shared;

namespace Flo.Cli.Tests;

[Collection(CliCollection.Name)]
[Trait("Category", "Cli")]
public sealed class ScheduleCliTests(SingleSiloSqlite fixture)
{
    private readonly CliRunner cli = new(fixture);
    private readonly string ns = "cli-sch-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Create_list_disable_enable_delete()
    {
        await fixture.Client.Action.RegisterAsync("report", new ActionRegisterOptions(Namespace: ns));

        var cron = await cli.RunAsync("schedule", "create", "--action", "report", "--cron", "0 3 * * *", "--zone", "Europe/Paris", "--args-json", "{\"kind\":\"daily\"}", "-n", ns, "--json");
        Assert.True(cron.ExitCode == 0, cron.ToString());
        var id = cron.Json.GetProperty("id").GetString()!;
        Assert.Equal("cron", cron.Json.GetProperty("kind").GetString());
        Assert.Equal("Europe/Paris", cron.Json.GetProperty("time_zone").GetString());
        Assert.Equal("{\"kind\":\"daily\"}", cron.Json.GetProperty("args").GetString());
        Assert.True(cron.Json.GetProperty("enabled").GetBoolean());
        Assert.True(cron.Json.GetProperty("next_run_at_ms").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var every = await cli.RunAsync("schedule", "create", "--action", "report", "--interval-ms", "3600000", "-n", ns);
        Assert.True(every.ExitCode == 0, every.ToString());
        Assert.Matches(@"│ when\s+│ every 1 h\s+│", every.Out);

        var once = await cli.RunAsync("schedule", "create", "--action", "report", "--at", "2099-01-02T03:04:05Z", "-n", ns, "--json");
        Assert.True(once.ExitCode == 0, once.ToString());
        Assert.Equal(new DateTimeOffset(2099, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeMilliseconds(), once.Json.GetProperty("at_ms").GetInt64());
        Assert.Equal("run_once", once.Json.GetProperty("missed_runs").GetString());

        var catchingUp = await cli.RunAsync("schedule", "create", "--action", "report", "--interval-ms", "7200000", "--missed-runs", "RunEach", "-n", ns, "--json");
        Assert.True(catchingUp.ExitCode == 0, catchingUp.ToString());
        Assert.Equal("run_each", catchingUp.Json.GetProperty("missed_runs").GetString());

        var list = await cli.RunAsync("schedule", "list", "-n", ns);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(id, list.Out);
        Assert.Contains("cron 0 3 * * * (Europe/Paris)", list.Out);
        Assert.Contains("once at 2099-01-02 03:04:05.000Z", list.Out);
        Assert.Contains("4 schedule(s)", list.Out);

        var disabled = await cli.RunAsync("schedule", "disable", id, "-n", ns, "--json");
        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        Assert.False(disabled.Json.GetProperty("enabled").GetBoolean());
        var enabled = await cli.RunAsync("schedule", "enable", id, "-n", ns, "--json");
        Assert.True(enabled.Json.GetProperty("enabled").GetBoolean());

        var deleted = await cli.RunAsync("schedule", "delete", id, "-n", ns, "--json");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var remaining = await cli.RunAsync("schedule", "list", "-n", ns, "--json");
        Assert.DoesNotContain(remaining.Json.GetProperty("schedules").EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        Assert.Equal(3, remaining.Json.GetProperty("schedules").GetArrayLength());

        var gone = await cli.RunAsync("schedule", "delete", id, "-n", ns);
        Assert.Equal(ExitCodes.NotFound, gone.ExitCode);
        Assert.StartsWith("flo: error:", gone.Error);
    }

    [Fact]
    public async Task Bad_timings_are_refused_before_or_by_the_platform()
    {
        await fixture.Client.Action.RegisterAsync("report", new ActionRegisterOptions(Namespace: ns));

        var two = await cli.RunAsync("schedule", "create", "--action", "report", "--cron", "@daily", "--interval-ms", "1000", "-n", ns);
        Assert.Equal(ExitCodes.Usage, two.ExitCode);
        Assert.Contains("exactly one of --cron, --interval-ms, --at", two.Error);
        Assert.Equal("", two.Out);

        var cron = await cli.RunAsync("schedule", "create", "--action", "report", "--cron", "61 * * * *", "-n", ns);
        Assert.Equal(ExitCodes.InvalidArgument, cron.ExitCode);
        Assert.StartsWith("flo: error:", cron.Error);

        var unknown = await cli.RunAsync("schedule", "create", "--action", "nobody", "--interval-ms", "60000", "-n", ns);
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Contains("nobody", unknown.Error);
    }
}
