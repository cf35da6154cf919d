using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;

namespace Flo.Runtime.Tests.Runtime;

[Trait("Category", "Runtime")]
public sealed class GrainCallTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task ArgumentsAndResultsRoundTripThroughTheGateway()
    {
        var payload = new Payload("x", [1, 2, 3], Color.Blue, new Dictionary<string, int> { ["a"] = 1 });
        var echoed = await Grains.GetGrain<IEchoGrain>("e").Echo(payload);
        Assert.Equal("x", echoed.Name);
        Assert.Equal(new byte[] { 1, 2, 3 }, echoed.Data);
        Assert.Equal(Color.Blue, echoed.Color);
        Assert.Equal(1, echoed.Tags!["a"]);
    }

    [Fact]
    public async Task IntegerAndGuidKeysReachTheirGrain()
    {
        Assert.Equal(42L, await Grains.GetGrain<IIntegerKeyGrain>(42).Key());
        Assert.Equal(-7L, await Grains.GetGrain<IIntegerKeyGrain>(-7).Key());
    }

    [Fact]
    public async Task GrainExceptionsArriveTyped()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Grains.GetGrain<IEchoGrain>("e").Fail("boom"));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public async Task UnknownGrainTypeFailsWithGrainNotFound()
    {
        var error = await Assert.ThrowsAsync<GrainNotFoundException>(() => Grains.GetGrain<IUnimplementedGrain>("x").Nothing());
        Assert.Contains("IUnimplementedGrain", error.Message);
    }

    [Fact]
    public async Task OneWayCallsAreDeliveredWithoutAResponse()
    {
        var grain = Grains.GetGrain<IEchoGrain>(Guid.NewGuid().ToString());
        await grain.Tell("hello");
        // Same connection, same activation, FIFO: the one-way message is processed before this call.
        Assert.Equal("hello", await grain.LastTold());
    }

    [Fact]
    public async Task GrainReferencesTravelAsArgumentsAndResults()
    {
        var key = Guid.NewGuid().ToString();
        var counter = Grains.GetGrain<ICounterGrain>(key);
        var echo = Grains.GetGrain<IEchoGrain>("refs");
        Assert.Equal(5, await echo.AddVia(counter, 5));
        var returned = await echo.CounterRef(key);
        Assert.Equal(5, await returned.Get());
    }

    [Fact]
    public async Task CallsFromGrainsCarryTheCallChain()
    {
        var chain = await Grains.GetGrain<IEchoGrain>("chain").CallChain();
        Assert.Equal("echo/chain.CallChain", chain);
    }

    [Fact]
    public async Task ManyConcurrentCallersShareOneConnection()
    {
        var grains = Enumerable.Range(0, 50).Select(i => Grains.GetGrain<ICounterGrain>($"many-{Guid.NewGuid()}-{i}")).ToArray();
        var results = await Task.WhenAll(grains.SelectMany(g => Enumerable.Range(0, 20).Select(_ => g.Add(1))));
        Assert.Equal(1000, results.Length);
        foreach (var g in grains)
        {
            Assert.Equal(20, await g.Get());
        }
    }
}
