using Xunit.Abstractions;

namespace Flo.Storage.Tests.Contract;

[Trait("Category", "Storage")]
public sealed class MemoryGrainStorageTests(ITestOutputHelper output) : GrainStorageContractTests(output)
{
    // Shared by the providers this class creates (as by the silos of a test cluster), and by no other test class.
    private readonly string storeName = "memory-tests-" + Guid.NewGuid().ToString("N");

    protected override FloStorageOptions CreateOptions() => new() { Provider = FloStorageProvider.Memory, MemoryStoreName = storeName };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        FloGrainStorage.RemoveMemoryStore(storeName);
    }

    [Fact]
    public async Task ProvidersNamingOneStoreShareItAndOthersDoNot()
    {
        await using var sameStore = CreateStorage();
        await using var otherStore = TestServices.CreateStorage(new FloStorageOptions { Provider = FloStorageProvider.Memory, MemoryStoreName = storeName + "-other" });
        await using var privateStore = TestServices.CreateStorage(new FloStorageOptions { Provider = FloStorageProvider.Memory });
        var id = NewId();
        var etag = await WriteAsync(id, 5, null);
        await Storage.DisposeAsync(); // a silo stopping does not take the shared data with it

        Assert.Equal(etag, (await ReadAsync(id, source: sameStore)).ETag);
        Assert.Null((await ReadAsync(id, source: otherStore)).ETag);
        Assert.Null((await ReadAsync(id, source: privateStore)).ETag);
        // Writes through the shared store are still ETag-checked.
        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(() => WriteAsync(id, 6, null, target: sameStore));
        FloGrainStorage.RemoveMemoryStore(storeName + "-other");
    }
}
