using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;

namespace Flo.Runtime.Tests.Runtime;

[Trait("Category", "Runtime")]
public sealed class TurnBasedExecutionTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task ConcurrentCallsOnANonReentrantGrainNeverInterleave()
    {
        var grain = Grains.GetGrain<IOrderingGrain>(Guid.NewGuid().ToString());
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => grain.Write(30)));
        var report = await grain.Report();
        Assert.Equal(1, report.MaxConcurrent);
        Assert.Equal(0, report.Violations);
    }

    [Fact]
    public async Task ConcurrentCallsOnAReentrantGrainInterleaveOnOneThread()
    {
        var grain = Grains.GetGrain<IReentrantOrderingGrain>(Guid.NewGuid().ToString());
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => grain.Write(300)));
        var report = await grain.Report();
        Assert.True(report.MaxConcurrent > 1, $"max concurrent {report.MaxConcurrent}");
        // Writers overlapped (allowed, reentrant) but never two threads inside the grain at once.
        Assert.True(report.Violations < 1000, $"violations {report.Violations}");
    }

    [Fact]
    public async Task AnAlwaysInterleaveCallInProgressDoesNotHoldTheTurn()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<IOrderingGrain>("linger-" + Guid.NewGuid().ToString("N"));
        var linger = grain.Linger(8_000);
        // Ordinary (turn-taking) calls are admitted while the interleaving call waits, as in Orleans.
        await grain.Write(10).WaitAsync(TimeSpan.FromSeconds(5));
        await grain.Read(10).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(linger.IsCompleted);
        await linger;
    }

    [Fact]
    public async Task ReadOnlyCallsInterleaveWithEachOtherOnly()
    {
        var grain = Grains.GetGrain<IOrderingGrain>(Guid.NewGuid().ToString());
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => grain.Read(300)));
        var readersOnly = await grain.Report();
        Assert.True(readersOnly.MaxConcurrent > 1, $"readers ran one at a time (max {readersOnly.MaxConcurrent})");

        var mixed = Enumerable.Range(0, 12).Select(i => i % 3 == 0 ? grain.Write(30) : grain.Read(30));
        await Task.WhenAll(mixed);
        var report = await grain.Report();
        Assert.Equal(0, report.Violations);
    }

    [Fact]
    public async Task ACallCycleBetweenNonReentrantGrainsTimesOutNamingTheCycle()
    {
        var a = "a-" + Guid.NewGuid().ToString("N")[..8];
        var b = "b-" + Guid.NewGuid().ToString("N")[..8];
        var error = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => Grains.GetGrain<ICycleGrain>(a).Start(b));
        Assert.Contains($"cycle/{a}", error.Message);
        Assert.Contains("Ping", error.Message);
        Assert.Contains("deadlock", error.Message);
        Assert.Contains(fixture.Cluster.Silos[0].Name, error.Message);
        Assert.Contains($"cycle/{b}.Bounce", error.Message);

        // The grains are usable again afterwards.
        Assert.Equal("pong", await Grains.GetGrain<ICycleGrain>(a).Ping());
    }

    [Fact]
    public async Task TimerTicksRunAsTurnsAndStopWhenDisposed()
    {
        var grain = Grains.GetGrain<ITimerGrain>(Guid.NewGuid());
        await grain.StartTicking(20);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await grain.Ticks() < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(await grain.Ticks() >= 3);
        await grain.Stop();
        var after = await grain.Ticks();
        await Task.Delay(150);
        Assert.InRange(await grain.Ticks(), after, after + 1);
    }
}
