using System.Security.Cryptography;
using Flo.Grains;
using Flo.Grains.Actions;
using Flo.Storage;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Flo.Actions.Tests;

/// <summary>A dispatch partition reloading what a lost activation left half written.</summary>
public sealed class DispatchRecoveryTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    [Fact]
    public async Task AnIdempotencyKeyWhoseRunWasNeverCreatedGetsANewRun()
    {
        // As a partition lost between its two writes leaves it (they go out together): the entry stored, its run never
        // created, while the invoke that made it failed. A retry of that invoke (a schedule's, say) must get a run.
        var action = $"ghost-{Guid.NewGuid():N}"[..24];
        var services = PlatformTestCluster.Services(fixture.Cluster.Silos[0]);
        var storage = (IRecordGrainStorage)services.GetRequiredKeyedService<IGrainStorage>(FloStorage.Name);
        var serializer = services.GetRequiredService<Serializer>();
        var payload = "payload"u8.ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var ghost = new DispatchEntry
        {
            Local = 1,
            RunId = ActionLimits.NewRunId(),
            Status = RunStatus.Pending,
            SubmittedAtMs = now,
            // Not due for a long time, so no worker's lease finds it missing first.
            VisibleAtMs = now + 600_000,
            IdempotencyKey = "due-1",
            PayloadHash = SHA256.HashData(payload)[..16],
        };
        await storage.WriteStateAsync(
            "dispatch",
            GrainId.Create("action-dispatch", ActionLimits.DispatchKey("default", action, 0)),
            new GrainState<DispatchState>(new DispatchState { NextLocal = 2 }),
            [GrainRecordChange.Upsert(ghost.Local, serializer.SerializeToArray(ghost))],
            null,
            CancellationToken.None);
        await fixture.Client.Action.RegisterAsync(action);

        var runId = await fixture.Client.Action.InvokeAsync(action, payload, new ActionInvokeOptions(IdempotencyKey: "due-1"));

        Assert.NotEqual(ghost.RunId, runId);
        var run = await fixture.Client.Action.GetRunAsync(runId);
        Assert.Equal("due-1", run.IdempotencyKey);
        Assert.Equal(RunStatus.Pending, run.Status);
        // The key now answers with the new run, which is the one listed.
        Assert.Equal(runId, await fixture.Client.Action.InvokeAsync(action, payload, new ActionInvokeOptions(IdempotencyKey: "due-1")));
        var listed = await fixture.Client.Action.ListRunsAsync(new RunFilter(Action: action));
        Assert.Equal([runId], listed.Runs.Select(r => r.RunId));
    }
}
