using Flo.Grains;
using Flo.Grains.Schedules;
using Flo.Schedules;
using Flo.Storage;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Flo.Actions.Tests;

/// <summary>The schedule catalog: one record per id, sorted listings, and the move of a legacy id set into records.</summary>
public sealed class ScheduleCatalogTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    [Fact]
    public async Task ALegacyIdSetMovesIntoRecordsAndListingsStaySorted()
    {
        var ns = $"cat{Guid.NewGuid():N}"[..20];
        var grainId = GrainId.Create("schedule-catalog", ns);
        var storage = (IRecordGrainStorage)PlatformTestCluster.Services(fixture.Cluster.Silos[0]).GetRequiredKeyedService<IGrainStorage>(FloStorage.Name);
        // As the catalog stored its ids before they were records: the whole set in the state.
        var legacy = new ScheduleCatalogState { InDirectory = true };
        foreach (var id in new[] { "c3", "a1", "b2" })
        {
            legacy.Ids.Add(id);
        }
        await storage.WriteStateAsync("catalog", grainId, new GrainState<ScheduleCatalogState>(legacy));

        var catalog = fixture.Client.Grains.GetGrain<IScheduleCatalogGrain>(ns);
        Assert.Equal(["a1", "b2", "c3"], await catalog.List());
        await catalog.Add("b1");
        await catalog.Add("a1");
        await catalog.Remove("c3");
        Assert.Equal(["a1", "b1", "b2"], await catalog.List());

        // Stored as records (one per id still listed), the legacy set emptied.
        var stored = new GrainState<ScheduleCatalogState>(new ScheduleCatalogState());
        await storage.ReadStateAsync("catalog", grainId, stored);
        Assert.NotNull(stored.State);
        Assert.Empty(stored.State.Ids);
        Assert.True(stored.State.InDirectory);
        var records = await storage.ReadRecordsAsync("catalog", grainId, 0, 100, CancellationToken.None);
        Assert.Equal(3, records.Count);
    }
}
