using Flo.Tests.Shared;

namespace Flo.Actions.Tests;

/// <summary>Bad input gets a typed error and stores nothing.</summary>
public sealed class ActionInputTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private FloClient Client => fixture.Client;

    [Fact]
    public async Task InvokingAnUnknownActionIsActionNotFound()
    {
        var action = $"missing-{Guid.NewGuid():N}";
        var e = await Assert.ThrowsAsync<ActionNotFoundException>(() => Client.Action.InvokeAsync(action, []));
        Assert.Contains(action, e.Message);
        Assert.DoesNotContain(await Client.Action.ListActionsAsync(), d => d.Name == action);
    }

    [Fact]
    public async Task BadRegistrationsAreRefusedAndNothingIsStored()
    {
        var action = $"bad-{Guid.NewGuid():N}";
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(action, new ActionRegisterOptions(TimeoutMs: -1)));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(action, new ActionRegisterOptions(MaxRetries: -2)));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(action, new ActionRegisterOptions(Backoff: 0.5)));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(action, new ActionRegisterOptions(Partitions: 17)));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(""));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(new string('a', 513)));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync("tab\there"));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(action, new ActionRegisterOptions(Namespace: "bad ns")));
        await Assert.ThrowsAsync<ActionNotFoundException>(() => Client.Action.GetActionAsync(action));
        await Client.Action.RegisterAsync(action, new ActionRegisterOptions(Partitions: 2));
        // The partition count is fixed at the first registration.
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.RegisterAsync(action, new ActionRegisterOptions(Partitions: 4)));
        Assert.Equal(2, (await Client.Action.GetActionAsync(action)).Partitions);
    }

    [Fact]
    public async Task BadInvokesAreRefusedAndNothingIsStored()
    {
        var action = $"bad-{Guid.NewGuid():N}";
        await Client.Action.RegisterAsync(action);
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.InvokeAsync(action, new byte[ActionLimits.MaxPayloadBytes + 1]));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.InvokeAsync(action, null!));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(DelayMs: -1)));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.InvokeAsync(action, [], new ActionInvokeOptions(IdempotencyKey: new string('k', 257))));
        Assert.Empty((await Client.Action.ListRunsAsync(new RunFilter(Action: action))).Runs);
        Assert.Equal(0, (await Client.Action.StatsAsync(action)).Pending);
    }

    [Fact]
    public async Task BadRunIdsAndCursorsAreRefused()
    {
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.GetRunAsync("not-a-run"));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.CancelAsync("../../etc"));
        await Assert.ThrowsAsync<RunNotFoundException>(() => Client.Action.GetRunAsync(ActionLimits.NewRunId()));
        await Assert.ThrowsAsync<RunNotFoundException>(() => Client.Action.WaitAsync(ActionLimits.NewRunId(), TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.ListRunsAsync(paging: new RunListOptions(Cursor: "garbage")));
        await Assert.ThrowsAsync<ActionArgumentException>(() => Client.Action.ListRunsAsync(paging: new RunListOptions(Limit: 0)));
    }

    [Fact]
    public async Task BadWorkerOptionsAreRefused()
    {
        Assert.Throws<ActionArgumentException>(() => Client.NewActionWorker(new ActionWorkerOptions(Concurrency: 0)));
        Assert.Throws<ActionArgumentException>(() => Client.NewActionWorker(new ActionWorkerOptions(HeartbeatInterval: TimeSpan.FromSeconds(5), LeaseTimeout: TimeSpan.FromSeconds(2))));
        await using var worker = Client.NewActionWorker();
        await Assert.ThrowsAsync<InvalidOperationException>(() => worker.StartAsync());
    }

    [Fact]
    public async Task WaitingPastTheTimeoutIsATypedError()
    {
        var action = $"wait-{Guid.NewGuid():N}";
        await Client.Action.RegisterAsync(action);
        var runId = await Client.Action.InvokeAsync(action, []);
        var e = await Assert.ThrowsAsync<RunWaitTimeoutException>(() => Client.Action.WaitAsync(runId, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(RunStatus.Pending, e.Status);
    }
}
