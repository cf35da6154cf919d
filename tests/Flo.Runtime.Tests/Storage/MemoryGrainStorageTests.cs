using Flo.Runtime.Storage;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Storage;

[Trait("Category", "Storage")]
public sealed class MemoryGrainStorageTests(ITestOutputHelper output) : GrainStorageContractTests(output)
{
    protected override bool IsDurable => false;

    protected override StorageOptions CreateOptions() => new() { Provider = StorageProviderKind.Memory };

    [Fact]
    public async Task ASharedStoreOutlivesTheBackendsOfItsSilos()
    {
        var shared = new MemoryGrainStorage();
        var options = new StorageOptions { Provider = StorageProviderKind.Postgres }; // ignored: the shared store wins
        var first = StorageBackendFactory.Create(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, shared);
        var id = NewId();
        var etag = await first.GrainStorage.WriteAsync(id, "s", new byte[] { 1 }, null, None);
        await first.DisposeAsync();

        await using var second = StorageBackendFactory.Create(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, shared);
        Assert.Same(shared, second.GrainStorage);
        Assert.Equal(etag, (await second.GrainStorage.ReadAsync(id, "s", None)).Etag);
    }

    [Fact]
    public async Task TheCallersBufferIsCopied()
    {
        var id = NewId();
        var buffer = new byte[] { 1, 2 };
        await Storage.WriteAsync(id, "s", buffer, null, None);
        buffer[0] = 9;
        Assert.Equal(new byte[] { 1, 2 }, (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
    }
}
