using Flo.Runtime.Storage;
using Flo.Storage;

namespace Flo.Runtime.Tests.Storage;

/// <summary>
/// The contract every grain storage provider keeps (one subclass per provider): conditional writes on ETags,
/// tombstones on clear, exactly one winner among racing writers, batching that loses nothing.
/// </summary>
public abstract class GrainStorageContractTests : IAsyncLifetime
{
    private IStorageBackend backend = null!;

    protected IGrainStorage Storage => backend.GrainStorage;

    protected abstract IStorageBackend CreateBackend();

    /// <summary>Whether data survives disposing the backend and creating a new one.</summary>
    protected virtual bool IsDurable => true;

    public async Task InitializeAsync()
    {
        backend = CreateBackend();
        await backend.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await backend.DisposeAsync();

    private static GrainId NewId() => new("test", Guid.NewGuid().ToString("N"));

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ReadingAMissingRecordReturnsNone()
    {
        var record = await Storage.ReadAsync(NewId(), "s", None);
        Assert.False(record.Exists);
        Assert.Null(record.Etag);
    }

    [Fact]
    public async Task WriteThenReadReturnsTheBytesAndEtag()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1, 2, 3 }, null, None);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.True(record.Exists);
        Assert.Equal(etag, record.Etag);
        Assert.Equal(new byte[] { 1, 2, 3 }, record.Data.ToArray());

        var etag2 = await Storage.WriteAsync(id, "s", new byte[] { 4 }, etag, None);
        Assert.NotEqual(etag, etag2);
        Assert.Equal(new byte[] { 4 }, (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
        // State names are separate records.
        Assert.False((await Storage.ReadAsync(id, "other", None)).Exists);
    }

    [Fact]
    public async Task AStaleEtagFailsAndLeavesTheStoredDataUnchanged()
    {
        var id = NewId();
        var first = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, None);
        var second = await Storage.WriteAsync(id, "s", new byte[] { 2 }, first, None);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, first, None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, null, None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(NewId(), "s", new byte[] { 3 }, "5", None));
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.Equal(second, record.Etag);
        Assert.Equal(new byte[] { 2 }, record.Data.ToArray());
    }

    [Fact]
    public async Task ClearLeavesATombstoneThatStaleWritersCannotMatch()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, None);
        var tombstone = await Storage.ClearAsync(id, "s", etag, None);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.False(record.Exists);
        Assert.Equal(tombstone, record.Etag);
        Assert.NotEqual(etag, tombstone);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 9 }, etag, None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 9 }, null, None));
        var recreated = await Storage.WriteAsync(id, "s", new byte[] { 2 }, tombstone, None);
        Assert.Equal(new byte[] { 2 }, (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
        Assert.NotEqual(etag, recreated);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearAsync(id, "s", tombstone, None));
    }

    [Fact]
    public async Task LargePayloadsRoundTrip()
    {
        var id = NewId();
        var data = new byte[1024 * 1024];
        new Random(7).NextBytes(data);
        await Storage.WriteAsync(id, "s", data, null, None);
        Assert.Equal(data, (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
    }

    [Fact]
    public async Task OfManyWritersRacingFromOneEtagExactlyOneWins()
    {
        var id = NewId();
        var start = await Storage.WriteAsync(id, "s", new byte[] { 0 }, null, None);
        var attempts = Enumerable.Range(1, 50).Select(async i =>
        {
            try
            {
                await Storage.WriteAsync(id, "s", new byte[] { (byte)i }, start, None);
                return i;
            }
            catch (InconsistentStateException)
            {
                return 0;
            }
        }).ToArray();
        var results = await Task.WhenAll(attempts);
        var winner = Assert.Single(results, r => r != 0);
        Assert.Equal(new byte[] { (byte)winner }, (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
    }

    [Fact]
    public async Task ManyConcurrentWritesToDistinctRecordsAllLand()
    {
        var ids = Enumerable.Range(0, 500).Select(_ => NewId()).ToArray();
        var etags = await Task.WhenAll(ids.Select((id, i) => Storage.WriteAsync(id, "s", BitConverter.GetBytes(i), null, None)));
        Assert.All(etags, e => Assert.False(string.IsNullOrEmpty(e)));
        for (var i = 0; i < ids.Length; i++)
        {
            var record = await Storage.ReadAsync(ids[i], "s", None);
            Assert.Equal(i, BitConverter.ToInt32(record.Data.Span));
        }
        if (Storage is RelationalGrainStorage relational)
        {
            // Concurrent writes were committed in shared transactions, not one each.
            Assert.True(relational.Statistics.Batches < relational.Statistics.Writes, $"{relational.Statistics}");
        }
    }

    [Fact]
    public async Task WrittenDataSurvivesReopeningTheBackend()
    {
        if (!IsDurable)
        {
            return;
        }
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 42 }, null, None);
        await backend.DisposeAsync();
        backend = CreateBackend();
        await backend.InitializeAsync(None);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.Equal(etag, record.Etag);
        Assert.Equal(new byte[] { 42 }, record.Data.ToArray());
    }

    [Fact]
    public async Task SchemaInitializationIsIdempotentAndSafeConcurrently()
    {
        await backend.InitializeAsync(None);
        var others = Enumerable.Range(0, 3).Select(_ => CreateBackend()).ToArray();
        try
        {
            await Task.WhenAll(others.Select(o => o.InitializeAsync(None)));
            var id = NewId();
            await others[0].GrainStorage.WriteAsync(id, "s", new byte[] { 1 }, null, None);
            Assert.True((await others[1].GrainStorage.ReadAsync(id, "s", None)).Exists || !IsDurable);
        }
        finally
        {
            foreach (var o in others)
            {
                await o.DisposeAsync();
            }
        }
    }
}
