using Flo.Runtime.Tests.Infrastructure;
using Flo.Serialization;
using Flo.TestGrains.Runtime;

namespace Flo.Runtime.Tests.Runtime;

[Trait("Category", "Runtime")]
public sealed class ActivationLifecycleTests(FastCollectionFixture fixture) : IClassFixture<FastCollectionFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task ActivatesOnFirstCallOnce()
    {
        var key = Guid.NewGuid().ToString();
        var grain = Grains.GetGrain<ICounterGrain>(key);
        Assert.Empty(LifecycleLog.Of($"counter/{key}"));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.Add(1)));
        Assert.Equal(20, await grain.Get());
        Assert.Equal(["activate"], LifecycleLog.Of($"counter/{key}"));
    }

    [Fact]
    public async Task IdleActivationIsCollectedAndStateReloadedOnNextCall()
    {
        var key = Guid.NewGuid().ToString();
        var grain = Grains.GetGrain<ICounterGrain>(key);
        await grain.Add(7);
        var first = await grain.GetActivationId();

        await LifecycleLog.WhenRecorded($"counter/{key}", "deactivate").WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains("deactivate:ActivationIdle", LifecycleLog.Of($"counter/{key}"));

        Assert.Equal(7, await grain.Get());
        Assert.NotEqual(first, await grain.GetActivationId());
    }

    [Fact]
    public async Task DeactivateOnIdleThenNextCallReactivates()
    {
        var key = Guid.NewGuid().ToString();
        var grain = Grains.GetGrain<ICounterGrain>(key);
        await grain.Add(3);
        var first = await grain.GetActivationId();
        await grain.Deactivate();
        await LifecycleLog.WhenRecorded($"counter/{key}", "deactivate").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, await grain.Add(1));
        Assert.NotEqual(first, await grain.GetActivationId());
    }

    [Fact]
    public async Task StaleEtagFailsTheWriteAndDeactivatesTheActivation()
    {
        var key = Guid.NewGuid().ToString();
        var grain = Grains.GetGrain<ICounterGrain>(key);
        await grain.Add(1);
        var etag = await grain.GetEtag();

        // Another writer (as a second activation would) moves the stored state on behind this activation's back.
        var storage = fixture.Cluster.MemoryStorage!;
        var other = Serializer.SerializeToArray(new CounterState { Value = 100 });
        await storage.WriteAsync(new GrainId("counter", key), "counter", other, etag, CancellationToken.None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Add(1));
        await LifecycleLog.WhenRecorded($"counter/{key}", "deactivate").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("deactivate:InconsistentState", LifecycleLog.Of($"counter/{key}"));

        // The next activation reads what the other writer committed; the stale write never landed.
        Assert.Equal(100, await grain.Get());
        Assert.Equal(101, await grain.Add(1));
    }
}
