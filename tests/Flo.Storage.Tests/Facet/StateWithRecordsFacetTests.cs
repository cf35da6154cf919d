using Orleans.Hosting;
using Orleans.TestingHost;

namespace Flo.Storage.Tests.Facet;

/// <summary>An in-process Orleans silo with Flo storage (memory) as the default grain storage, shared by the tests of this class.</summary>
public sealed class FacetClusterFixture : IAsyncLifetime
{
    private readonly string storeName = "facet-" + Guid.NewGuid().ToString("N");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        var name = storeName;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddFloGrainStorageAsDefault(o => { o.Provider = FloStorageProvider.Memory; o.MemoryStoreName = name; });
            silo.AddMemoryGrainStorage("plain");
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        FloGrainStorage.RemoveMemoryStore(storeName);
    }
}

[Trait("Category", "Storage")]
public sealed class StateWithRecordsFacetTests(FacetClusterFixture fixture) : IClassFixture<FacetClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task StagedRecordsAreWrittenWithTheStateAndReadBackAfterReactivation()
    {
        var grain = Grains.GetGrain<IRecordsTestGrain>("queue-" + Guid.NewGuid().ToString("N"));
        Assert.Equal((0L, (string?)null, false), await grain.GetState());
        await grain.Append(3, "a");
        await grain.Append(2, "b");
        await grain.Delete([1]);
        var first = await grain.GetActivationId();

        await grain.Deactivate();
        Assert.NotEqual(first, await grain.GetActivationId());
        Assert.Equal((5L, "3", true), await grain.GetState()); // three writes
        Assert.Equal(["0=a0", "2=a2", "3=b3", "4=b4"], await grain.ReadAll(pageSize: 3));

        await grain.Clear();
        Assert.Empty(await grain.ReadAll(pageSize: 10));
        await grain.Deactivate();
        Assert.Equal((0L, "4", false), await grain.GetState()); // the tombstone
        await grain.Append(1, "c");
        Assert.Equal(["0=c0"], await grain.ReadAll(pageSize: 10));
    }

    [Fact]
    public async Task AStorageThatKeepsNoRecordsIsAClearError()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Grains.GetGrain<IMisconfiguredGrain>("x").Ping());
        Assert.Contains("IRecordGrainStorage", error.ToString());
        Assert.Contains("\"plain\"", error.ToString());
    }
}
