using System.Text;
using Flo.Cli;
using Flo.Tests.Shared;

namespace Flo.Cli.Tests;

[Collection(CliCollection.Name)]
[Trait("Category", "Cli")]
public sealed class KvCliTests(SingleSiloSqlite fixture)
{
    private readonly CliRunner cli = new(fixture);
    private readonly string ns = "cli-kv-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Put_get_scan_del_round_trip_as_json()
    {
        var put = await cli.RunAsync("kv", "put", "user:1", "Ada Lovelace", "-n", ns, "--json");
        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Equal("user:1", put.Json.GetProperty("key").GetString());
        var version = put.Json.GetProperty("version").GetInt64();
        Assert.True(version > 0);
        Assert.Equal("", put.Error);
        Assert.Equal(0, (await cli.RunAsync("kv", "put", "user:2", "Grace", "-n", ns, "--json")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("kv", "put", "other", "x", "-n", ns, "--json")).ExitCode);

        var get = await cli.RunAsync("kv", "get", "user:1", "-n", ns, "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("Ada Lovelace", get.Json.GetProperty("value").GetString());
        Assert.Equal("utf8", get.Json.GetProperty("encoding").GetString());
        Assert.Equal(version, get.Json.GetProperty("version").GetInt64());
        Assert.True(get.Json.GetProperty("updated_ms").GetInt64() > 0);

        var scan = await cli.RunAsync("kv", "scan", "user:", "-n", ns, "--json");
        Assert.True(scan.ExitCode == 0, scan.ToString());
        Assert.Equal(["user:1", "user:2"], scan.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.False(scan.Json.GetProperty("has_more").GetBoolean());

        // A limit smaller than the matches pages, and says where to go on.
        var first = await cli.RunAsync("kv", "scan", "user:", "--limit", "1", "-n", ns, "--json");
        Assert.Equal(["user:1"], first.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.True(first.Json.GetProperty("has_more").GetBoolean());
        var rest = await cli.RunAsync("kv", "scan", "user:", "--cursor", first.Json.GetProperty("cursor").GetString()!, "-n", ns, "--json");
        Assert.Equal(["user:2"], rest.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

        var del = await cli.RunAsync("kv", "del", "user:1", "-n", ns, "--json");
        Assert.True(del.ExitCode == 0, del.ToString());
        Assert.True(del.Json.GetProperty("deleted").GetBoolean());
        Assert.Null(await fixture.Client.Kv.GetAsync("user:1", new Flo.Kv.GetOptions(Namespace: ns)));

        var again = await cli.RunAsync("kv", "del", "user:1", "-n", ns, "--json");
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        Assert.Equal("", again.Out);
        Assert.Contains("key 'user:1' not found", again.Error);
    }

    [Fact]
    public async Task A_stale_version_is_a_conflict_exit_3_and_changes_nothing()
    {
        var v1 = (await cli.RunAsync("kv", "put", "config", "one", "-n", ns, "--json")).Json.GetProperty("version").GetInt64();
        var v2 = await cli.RunAsync("kv", "put", "config", "two", "--if-version", v1.ToString(), "-n", ns, "--json");
        Assert.True(v2.ExitCode == 0, v2.ToString());

        var stale = await cli.RunAsync("kv", "put", "config", "three", "--if-version", v1.ToString(), "-n", ns, "--json");
        Assert.Equal(ExitCodes.Conflict, stale.ExitCode);
        Assert.Equal("", stale.Out);
        Assert.Contains("Version conflict on key 'config'", stale.Error);
        Assert.StartsWith("flo: error:", stale.Error);

        var absent = await cli.RunAsync("kv", "put", "config", "four", "--if-absent", "-n", ns);
        Assert.Equal(ExitCodes.Conflict, absent.ExitCode);
        Assert.Contains("already exists", absent.Error);

        var entry = await fixture.Client.Kv.GetAsync("config", new Flo.Kv.GetOptions(Namespace: ns));
        Assert.Equal("two", Encoding.UTF8.GetString(entry!.Value));
    }

    [Fact]
    public async Task A_missing_key_exits_2_with_one_line_on_stderr()
    {
        var get = await cli.RunAsync("kv", "get", "nope", "-n", ns, "--json");
        Assert.Equal(ExitCodes.NotFound, get.ExitCode);
        Assert.Equal("", get.Out);
        Assert.Equal($"flo: error: key 'nope' not found in namespace '{ns}'", get.Error.Trim());
    }

    [Fact]
    public async Task Tables_show_text_and_base64_and_payloads_read_files()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, [0x00, 0xFF, 0x10, 0x80]);
            Assert.Equal(0, (await cli.RunAsync("kv", "put", "blob", "@" + file, "-n", ns)).ExitCode);
            var stored = await fixture.Client.Kv.GetAsync("blob", new Flo.Kv.GetOptions(Namespace: ns));
            Assert.Equal([0x00, 0xFF, 0x10, 0x80], stored!.Value);

            var json = await cli.RunAsync("kv", "get", "blob", "-n", ns, "--json");
            Assert.Equal("base64", json.Json.GetProperty("encoding").GetString());
            Assert.Equal(Convert.ToBase64String([0x00, 0xFF, 0x10, 0x80]), json.Json.GetProperty("value").GetString());

            var table = await cli.RunAsync("kv", "get", "blob", "-n", ns);
            Assert.Contains("base64:" + Convert.ToBase64String([0x00, 0xFF, 0x10, 0x80]), table.Out);

            Assert.Equal(0, (await cli.RunAsync("kv", "put", "at", "@@home", "--ttl-ms", "60500", "-n", ns)).ExitCode);
            var text = await cli.RunAsync("kv", "get", "at", "-n", ns);
            Assert.True(text.ExitCode == 0, text.ToString());
            Assert.Contains("@home", text.Out);
            Assert.Matches(@"│ value\s+│ @home\s+│", text.Out);
            Assert.Matches(@"│ expires\s+│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z", text.Out);

            var missingFile = await cli.RunAsync("kv", "put", "x", "@/no/such/file", "-n", ns);
            Assert.Equal(ExitCodes.Usage, missingFile.ExitCode);
            Assert.Contains("cannot read payload file '/no/such/file'", missingFile.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Watch_prints_the_current_version_then_each_change_until_cancelled()
    {
        await fixture.Client.Kv.PutAsync("flag", "off"u8.ToArray(), new Flo.Kv.PutOptions(Namespace: ns));
        var output = new LockedWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watching = cli.RunAsync(output, stop.Token, "kv", "watch", "flag", "-n", ns, "--json");

        await output.WaitForAsync("\"value\":\"off\"", TimeSpan.FromSeconds(10));
        await fixture.Client.Kv.PutAsync("flag", "on"u8.ToArray(), new Flo.Kv.PutOptions(Namespace: ns));
        await output.WaitForAsync("\"value\":\"on\"", TimeSpan.FromSeconds(10));
        await fixture.Client.Kv.DeleteAsync("flag", new Flo.Kv.KvOptions(Namespace: ns));
        await output.WaitForAsync("\"deleted\":true", TimeSpan.FromSeconds(10));
        stop.Cancel();

        var result = await watching;
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        // JSON Lines: one compact document per version, in order.
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var versions = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["off", "on", null], versions.Select(v => v.GetProperty("value").GetString()));
        Assert.True(versions[0].GetProperty("version").GetInt64() < versions[1].GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Namespace_comes_from_the_option_else_the_environment()
    {
        cli.Variables["FLO_NAMESPACE"] = ns;
        Assert.Equal(0, (await cli.RunAsync("kv", "put", "where", "env")).ExitCode);
        var viaOption = await cli.RunAsync("kv", "get", "where", "--namespace", ns, "--json");
        Assert.Equal("env", viaOption.Json.GetProperty("value").GetString());

        var elsewhere = await cli.RunAsync("kv", "get", "where", "-n", ns + "-other");
        Assert.Equal(ExitCodes.NotFound, elsewhere.ExitCode);
        Assert.Contains($"namespace '{ns}-other'", elsewhere.Error);

        var bad = await cli.RunAsync("kv", "get", "where", "-n", "no spaces");
        Assert.Equal(ExitCodes.InvalidArgument, bad.ExitCode);
        Assert.Contains("Namespace must be", bad.Error);
    }
}
