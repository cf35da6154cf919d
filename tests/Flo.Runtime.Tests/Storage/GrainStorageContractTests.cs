using System.Diagnostics;
using Flo.Runtime.Storage;
using Flo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Storage;

/// <summary>
/// The contract every grain storage provider keeps (one subclass per provider): conditional writes on ETags,
/// tombstones on clear, exactly one winner among racing writers, batching that loses nothing.
/// </summary>
public abstract class GrainStorageContractTests(ITestOutputHelper output) : IAsyncLifetime
{
    private IStorageBackend backend = null!;

    protected static readonly CancellationToken None = CancellationToken.None;

    protected IStorageBackend Backend => backend;

    protected IGrainStorage Storage => backend.GrainStorage;

    protected ITestOutputHelper Output => output;

    /// <summary>Options of the provider under test, on this test class's database.</summary>
    protected abstract StorageOptions CreateOptions();

    /// <summary>Whether data survives disposing the backend and creating a new one.</summary>
    protected virtual bool IsDurable => true;

    protected IStorageBackend CreateBackend() => StorageBackendFactory.Create(CreateOptions(), NullLoggerFactory.Instance);

    public virtual async Task InitializeAsync()
    {
        backend = CreateBackend();
        await backend.InitializeAsync(None);
    }

    public virtual async Task DisposeAsync() => await backend.DisposeAsync();

    protected static GrainId NewId() => new("test", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ReadingAMissingRecordReturnsNone()
    {
        var record = await Storage.ReadAsync(NewId(), "s", None);
        Assert.False(record.Exists);
        Assert.Null(record.Etag);
        Assert.True(record.Data.IsEmpty);
    }

    [Fact]
    public async Task WriteThenReadReturnsTheBytesAndEtag()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1, 2, 3 }, null, None);
        Assert.Equal("1", etag);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.True(record.Exists);
        Assert.Equal(etag, record.Etag);
        Assert.Equal(new byte[] { 1, 2, 3 }, record.Data.ToArray());

        var etag2 = await Storage.WriteAsync(id, "s", new byte[] { 4 }, etag, None);
        Assert.Equal("2", etag2);
        record = await Storage.ReadAsync(id, "s", None);
        Assert.Equal(etag2, record.Etag);
        Assert.Equal(new byte[] { 4 }, record.Data.ToArray());

        // State names and grain types are separate records.
        Assert.False((await Storage.ReadAsync(id, "other", None)).Exists);
        Assert.False((await Storage.ReadAsync(new GrainId("other", id.Key), "s", None)).Exists);
    }

    [Fact]
    public async Task AnEmptyPayloadIsARecordNotATombstone()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", ReadOnlyMemory<byte>.Empty, null, None);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.True(record.Exists);
        Assert.Equal(etag, record.Etag);
        Assert.Equal(0, record.Data.Length);
    }

    [Fact]
    public async Task AWriteFromASliceStoresOnlyTheSlice()
    {
        var id = NewId();
        var buffer = new byte[] { 9, 1, 2, 3, 9 };
        await Storage.WriteAsync(id, "s", buffer.AsMemory(1, 3), null, None);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
    }

    [Fact]
    public async Task AStaleEtagFailsAndLeavesTheStoredDataUnchanged()
    {
        var id = NewId();
        var first = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, None);
        var second = await Storage.WriteAsync(id, "s", new byte[] { 2 }, first, None);

        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, first, None));
        // The error names the grain, the state and both ETags, so a log line explains the conflict on its own.
        Assert.Contains(id.ToString(), stale.Message);
        Assert.Contains("'s'", stale.Message);
        Assert.Equal(second, stale.StoredEtag);
        Assert.Equal(first, stale.CurrentEtag);
        Assert.Contains($"ETag {first}", stale.Message);
        Assert.Contains($"ETag {second}", stale.Message);

        // Expected "nothing stored" while a record exists; an ETag the storage never issued.
        var expectedNone = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, null, None));
        Assert.Equal(second, expectedNone.StoredEtag);
        Assert.Null(expectedNone.CurrentEtag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, "not-an-etag", None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearAsync(id, "s", first, None));

        var record = await Storage.ReadAsync(id, "s", None);
        Assert.True(record.Exists);
        Assert.Equal(second, record.Etag);
        Assert.Equal(new byte[] { 2 }, record.Data.ToArray());
    }

    [Fact]
    public async Task AnEtagForANeverStoredRecordFailsAndStoresNothing()
    {
        var id = NewId();
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, "5", None));
        Assert.Null(error.StoredEtag);
        Assert.Equal("5", error.CurrentEtag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearAsync(id, "s", "5", None));
        Assert.Equal(GrainStateRecord.None, await Storage.ReadAsync(id, "s", None));
    }

    [Fact]
    public async Task ClearLeavesATombstoneThatStaleWritersCannotMatch()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, None);
        var tombstone = await Storage.ClearAsync(id, "s", etag, None);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.False(record.Exists);
        Assert.NotNull(tombstone);
        Assert.Equal(tombstone, record.Etag);
        Assert.NotEqual(etag, tombstone);
        Assert.True(record.Data.IsEmpty);

        // A writer holding the ETag from before the clear, or one that thinks nothing was ever stored, fails.
        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 9 }, etag, None));
        Assert.Equal(tombstone, stale.StoredEtag);
        Assert.Contains("tombstone", stale.Message);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 9 }, null, None));
        Assert.False((await Storage.ReadAsync(id, "s", None)).Exists);

        // The writer holding the tombstone's ETag recreates the record, with a version never used before.
        var recreated = await Storage.WriteAsync(id, "s", new byte[] { 2 }, tombstone, None);
        record = await Storage.ReadAsync(id, "s", None);
        Assert.True(record.Exists);
        Assert.Equal(recreated, record.Etag);
        Assert.Equal(new byte[] { 2 }, record.Data.ToArray());
        Assert.NotEqual(etag, recreated);
        Assert.NotEqual(tombstone, recreated);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearAsync(id, "s", tombstone, None));
    }

    [Fact]
    public async Task ClearingWhatWasNeverStoredLeavesATombstone()
    {
        var id = NewId();
        var tombstone = await Storage.ClearAsync(id, "s", null, None);
        Assert.NotNull(tombstone);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.False(record.Exists);
        Assert.Equal(tombstone, record.Etag);
        // A second activation that also read "nothing" cannot write behind the first one's clear.
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 1 }, null, None));
        // Clearing a tombstone again is a change like any other: it advances the version.
        var again = await Storage.ClearAsync(id, "s", tombstone, None);
        Assert.NotEqual(tombstone, again);
        Assert.Equal(again, (await Storage.ReadAsync(id, "s", None)).Etag);
    }

    [Fact]
    public async Task LargePayloadsRoundTrip()
    {
        var id = NewId();
        var data = new byte[1024 * 1024];
        new Random(7).NextBytes(data);
        var etag = await Storage.WriteAsync(id, "s", data, null, None);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.Equal(etag, record.Etag);
        Assert.True(data.AsSpan().SequenceEqual(record.Data.Span));
    }

    [Fact]
    public async Task InvalidArgumentsAreRejectedBeforeTouchingStorage()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.WriteAsync(default, "s", new byte[] { 1 }, null, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.WriteAsync(NewId(), "", new byte[] { 1 }, null, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.WriteAsync(new GrainId("test", "a\0b"), "s", new byte[] { 1 }, null, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.ReadAsync(NewId(), null!, None));
    }

    [Fact]
    public async Task ACallerCanceledBeforeItsWriteIsQueuedStoresNothing()
    {
        var id = NewId();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Storage.WriteAsync(id, "s", new byte[] { 1 }, null, canceled.Token));
        Assert.Equal(GrainStateRecord.None, await Storage.ReadAsync(id, "s", None));
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
                return (Writer: i, Etag: await Storage.WriteAsync(id, "s", new byte[] { (byte)i }, start, None));
            }
            catch (InconsistentStateException)
            {
                return (Writer: 0, Etag: (string?)null);
            }
        }).ToArray();
        var results = await Task.WhenAll(attempts);
        var winner = Assert.Single(results, r => r.Writer != 0);
        Assert.Equal(49, results.Count(r => r.Writer == 0));
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.Equal(winner.Etag, record.Etag);
        Assert.Equal(new byte[] { (byte)winner.Writer }, record.Data.ToArray());
    }

    [Fact]
    public async Task AConflictingWriteDoesNotFailTheWritesBesideIt()
    {
        // Half of the concurrent writes hold a stale ETag; they go into the same batches as the valid half.
        var ids = Enumerable.Range(0, 100).Select(_ => NewId()).ToArray();
        var etags = await Task.WhenAll(ids.Select(id => Storage.WriteAsync(id, "s", new byte[] { 0 }, null, None)));
        var outcomes = await Task.WhenAll(ids.Select(async (id, i) =>
        {
            try
            {
                await Storage.WriteAsync(id, "s", new byte[] { 1 }, i % 2 == 0 ? etags[i] : "999", None);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(i % 2 == 0, outcomes[i]);
            var record = await Storage.ReadAsync(ids[i], "s", None);
            Assert.Equal(new byte[] { (byte)(i % 2 == 0 ? 1 : 0) }, record.Data.ToArray());
        }
    }

    [Fact]
    public async Task ManyConcurrentWritesToDistinctRecordsAllLand()
    {
        var before = (Storage as RelationalGrainStorage)?.Statistics;
        var ids = Enumerable.Range(0, 500).Select(_ => NewId()).ToArray();
        var clock = Stopwatch.StartNew();
        var etags = await Task.WhenAll(ids.Select((id, i) => Storage.WriteAsync(id, "s", BitConverter.GetBytes(i), null, None)));
        clock.Stop();
        Assert.All(etags, e => Assert.Equal("1", e));
        for (var i = 0; i < ids.Length; i++)
        {
            var record = await Storage.ReadAsync(ids[i], "s", None);
            Assert.True(record.Exists);
            Assert.Equal(i, BitConverter.ToInt32(record.Data.Span));
        }

        var report = $"{GetType().Name}: {ids.Length} concurrent writes in {clock.Elapsed.TotalMilliseconds:F0} ms ({ids.Length / clock.Elapsed.TotalSeconds:F0} writes/s)";
        if (Storage is RelationalGrainStorage relational)
        {
            var after = relational.Statistics;
            var batches = after.Batches - before!.Value.Batches;
            var writes = after.Writes - before.Value.Writes;
            report += $", {batches} transactions, largest batch {after.LargestBatch}";
            Assert.Equal(ids.Length, writes);
            // Concurrent writes were committed in shared transactions, not one each.
            Assert.True(batches < writes, report);
            Assert.True(after.LargestBatch > 1, report);
        }
        Output.WriteLine(report);
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
        var cleared = NewId();
        var tombstone = await Storage.ClearAsync(cleared, "s", await Storage.WriteAsync(cleared, "s", new byte[] { 1 }, null, None), None);
        await backend.DisposeAsync();

        backend = CreateBackend();
        await backend.InitializeAsync(None);
        var record = await Storage.ReadAsync(id, "s", None);
        Assert.True(record.Exists);
        Assert.Equal(etag, record.Etag);
        Assert.Equal(new byte[] { 42 }, record.Data.ToArray());
        Assert.Equal(new GrainStateRecord(default, tombstone, false), await Storage.ReadAsync(cleared, "s", None));
        // Versions continue across the restart: the old ETag still writes, and only once.
        Assert.Equal("2", await Storage.WriteAsync(id, "s", new byte[] { 43 }, etag, None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 44 }, etag, None));
    }

    [Fact]
    public async Task InitializingAgainAndFromSeveralBackendsAtOnceIsHarmless()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, None);
        await backend.InitializeAsync(None);
        var others = Enumerable.Range(0, 3).Select(_ => CreateBackend()).ToArray();
        try
        {
            await Task.WhenAll(others.Select(o => o.InitializeAsync(None)));
            // Re-running the schema kept the data, and every backend sees the same database.
            Assert.Equal(etag, (await Storage.ReadAsync(id, "s", None)).Etag);
            var shared = NewId();
            await others[0].GrainStorage.WriteAsync(shared, "s", new byte[] { 1 }, null, None);
            Assert.Equal(IsDurable, (await others[1].GrainStorage.ReadAsync(shared, "s", None)).Exists);
        }
        finally
        {
            foreach (var o in others)
            {
                await o.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TheHealthCheckAnswersAndTheDescriptionNamesTheProvider()
    {
        Assert.True(await Backend.CheckHealthAsync(None));
        Assert.Contains(Backend.Kind switch { StorageProviderKind.Memory => "memory", StorageProviderKind.Sqlite => "SQLite", _ => "PostgreSQL" }, Backend.Describe());
    }

    private static GrainRecordChange Put(long id, params byte[] data) => new(id, data);

    private static GrainRecordChange Delete(long id) => new(id, null);

    /// <summary>Every record as "id:hex", read page by page.</summary>
    private async Task<List<string>> AllRecordsAsync(GrainId id, int pageSize = 1000)
    {
        var all = new List<string>();
        var after = long.MinValue;
        while (true)
        {
            var page = await Storage.ReadRecordsAsync(id, "s", after, pageSize, None);
            all.AddRange(page.Select(r => $"{r.Id}:{Convert.ToHexString(r.Data.Span)}"));
            if (page.Count < pageSize)
            {
                return all;
            }
            after = page[^1].Id;
        }
    }

    [Fact]
    public async Task RecordsAreWrittenWithTheStateAndReadInIdOrderByPage()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, [Put(5, 50), Put(-2, 20), Put(9, 90)], None);
        etag = await Storage.WriteAsync(id, "s", new byte[] { 2 }, etag, [Put(5, 55), Delete(9), Put(7, 70), Delete(1234)], None);
        Assert.Equal("2", etag);
        Assert.Equal(["-2:14", "5:37", "7:46"], await AllRecordsAsync(id));
        Assert.Equal(["-2:14", "5:37", "7:46"], await AllRecordsAsync(id, pageSize: 1));
        var afterFive = await Storage.ReadRecordsAsync(id, "s", 5, 10, None);
        Assert.Equal([7L], afterFive.Select(r => r.Id));
        Assert.Equal([2], (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
        Assert.Empty(await Storage.ReadRecordsAsync(id, "other", long.MinValue, 10, None));
    }

    [Fact]
    public async Task AnEmptyRecordIsARecordAndADeleteRemovesIt()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, [GrainRecordChange.Upsert(1, ReadOnlyMemory<byte>.Empty), Put(2, 2)], None);
        Assert.Equal(["1:", "2:02"], await AllRecordsAsync(id));
        await Storage.WriteAsync(id, "s", new byte[] { 2 }, etag, [GrainRecordChange.Delete(1), GrainRecordChange.Delete(2)], None);
        Assert.Empty(await AllRecordsAsync(id));
    }

    [Fact]
    public async Task AStaleWriteChangesNoRecord()
    {
        var id = NewId();
        var first = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, [Put(1, 1)], None);
        await Storage.WriteAsync(id, "s", new byte[] { 2 }, first, [Put(2, 2)], None);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, first, [Put(1, 99), Delete(2), Put(3, 3)], None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync(id, "s", new byte[] { 3 }, null, [Put(4, 4)], None));
        Assert.Equal(["1:01", "2:02"], await AllRecordsAsync(id));
        Assert.Equal([2], (await Storage.ReadAsync(id, "s", None)).Data.ToArray());
    }

    [Fact]
    public async Task ClearDeletesEveryRecordAndARecreatedStateStartsEmpty()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, [Put(1, 1), Put(2, 2)], None);
        var tombstone = await Storage.ClearAsync(id, "s", etag, None);
        Assert.Empty(await AllRecordsAsync(id));
        await Storage.WriteAsync(id, "s", new byte[] { 1 }, tombstone, [Put(3, 3)], None);
        Assert.Equal(["3:03"], await AllRecordsAsync(id));
    }

    [Fact]
    public async Task ChangingOneRecordTwiceInOneWriteIsRefusedAndStoresNothing()
    {
        var id = NewId();
        var etag = await Storage.WriteAsync(id, "s", new byte[] { 1 }, null, [Put(1, 1)], None);
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.WriteAsync(id, "s", new byte[] { 2 }, etag, [Put(1, 2), Delete(1)], None));
        Assert.Equal(etag, (await Storage.ReadAsync(id, "s", None)).Etag);
        Assert.Equal(["1:01"], await AllRecordsAsync(id));
    }

    [Fact]
    public async Task ConcurrentWritesWithRecordsOfManyGrainsAllLand()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => NewId()).ToArray();
        var etags = await Task.WhenAll(ids.Select(id => Storage.WriteAsync(id, "s", new byte[] { 1 }, null, [Put(1, 1)], None)));
        await Task.WhenAll(ids.Select((id, i) => Storage.WriteAsync(id, "s", new byte[] { 2 }, etags[i], [.. Enumerable.Range(2, 100).Select(n => Put(n, (byte)n))], None)));
        foreach (var id in ids)
        {
            var records = await AllRecordsAsync(id, pageSize: 37);
            Assert.Equal(Enumerable.Range(1, 101).Select(n => $"{n}:{n:X2}"), records);
        }
    }
}
