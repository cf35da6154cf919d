using System.Text;
using Flo.Actions;
using Flo.Cli;
using Flo.Tests.Shared;

namespace Flo.Cli.Tests;

[Collection(CliCollection.Name)]
[Trait("Category", "Cli")]
public sealed class ActionCliTests(SingleSiloSqlite fixture)
{
    private readonly CliRunner cli = new(fixture);
    private readonly string ns = "cli-a-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<ActionWorker> StartWorkerAsync(string action, Func<ActionContext, Task<byte[]>> handler)
    {
        var worker = fixture.Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 2, StopTimeout: TimeSpan.FromSeconds(2), PollBlockMs: 1_000, Namespace: ns));
        worker.Action(action, handler, new ActionHandlerOptions(Register: new ActionRegisterOptions(MaxRetries: 0, Namespace: ns)));
        await worker.StartAsync();
        return worker;
    }

    [Fact]
    public async Task Invoke_wait_status_runs_and_list()
    {
        await using var worker = await StartWorkerAsync("shout", ctx => Task.FromResult(Encoding.UTF8.GetBytes(ctx.Text.ToUpperInvariant())));

        var invoked = await cli.RunAsync("action", "invoke", "shout", "hello", "--wait", "--timeout-ms", "20000", "--priority", "7", "-n", ns, "--json");
        Assert.True(invoked.ExitCode == 0, invoked.ToString());
        var run = invoked.Json;
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("HELLO", run.GetProperty("result").GetString());
        Assert.Equal("hello", run.GetProperty("payload").GetString());
        Assert.Equal(7, run.GetProperty("priority").GetInt32());
        var runId = run.GetProperty("run_id").GetString()!;
        var attempt = Assert.Single(run.GetProperty("attempts").EnumerateArray());
        Assert.Equal("completed", attempt.GetProperty("outcome").GetString());

        // JSON payloads are checked and sent as their text.
        var json = await cli.RunAsync("action", "invoke", "shout", "--json-payload", "{\"a\": 1}", "--wait", "-n", ns);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Matches(@"│ status\s+│ completed\s+│", json.Out);
        Assert.Matches(@"│ result\s+│ \{""A"": 1\}\s+│", json.Out);

        var status = await cli.RunAsync("action", "status", runId, "-n", ns);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains(runId, status.Out);
        Assert.Matches(@"│ result\s+│ HELLO\s+│", status.Out);
        Assert.Contains(worker.WorkerId, status.Out);

        var runs = await cli.RunAsync("action", "runs", "--status", "completed", "--action", "shout", "-n", ns, "--json");
        Assert.True(runs.ExitCode == 0, runs.ToString());
        var listed = runs.Json.GetProperty("runs").EnumerateArray().ToList();
        Assert.True(listed.Count == 2, runs.Out);
        Assert.Contains(listed, r => r.GetProperty("run_id").GetString() == runId);
        Assert.All(listed, r => Assert.Equal("completed", r.GetProperty("status").GetString()));

        var none = await cli.RunAsync("action", "runs", "--status", "timed_out", "-n", ns, "--json");
        Assert.Empty(none.Json.GetProperty("runs").EnumerateArray());

        var retried = await cli.RunAsync("action", "retry", runId, "-n", ns, "--json");
        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.NotEqual(runId, retried.Json.GetProperty("run_id").GetString());

        var cancel = await cli.RunAsync("action", "cancel", runId, "-n", ns);
        Assert.Equal(ExitCodes.Conflict, cancel.ExitCode);
        Assert.Contains("already finished (completed)", cancel.Error);

        var list = await cli.RunAsync("action", "list", "-n", ns);
        Assert.Matches(@"│ shout\s+│ 30 s\s+│ 0\s+│", list.Out);

        var unknown = Guid.CreateVersion7().ToString("N");
        var missing = await cli.RunAsync("action", "status", unknown, "-n", ns, "--json");
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Equal("", missing.Out);
        Assert.StartsWith("flo: error:", missing.Error);
        Assert.Contains(unknown, missing.Error);

        var malformed = await cli.RunAsync("action", "status", "no such run", "-n", ns);
        Assert.Equal(ExitCodes.InvalidArgument, malformed.ExitCode);
        Assert.StartsWith("flo: error:", malformed.Error);
    }

    [Fact]
    public async Task A_failed_run_waited_for_exits_6_and_is_printed()
    {
        await using var worker = await StartWorkerAsync("fragile", _ => throw new InvalidOperationException("disk full"));

        var invoked = await cli.RunAsync("action", "invoke", "fragile", "--wait", "--timeout-ms", "20000", "-n", ns, "--json");
        Assert.Equal(ExitCodes.RunNotCompleted, invoked.ExitCode);
        Assert.Equal("failed", invoked.Json.GetProperty("status").GetString());
        Assert.Contains("disk full", invoked.Json.GetProperty("error").GetString());
        Assert.Contains("failed", invoked.Error);

        var badStatus = await cli.RunAsync("action", "runs", "--status", "exploded", "-n", ns);
        Assert.Equal(ExitCodes.Usage, badStatus.ExitCode);
        Assert.Contains("'exploded' is not a run status", badStatus.Error);
    }
}
