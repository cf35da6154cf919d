using System.Diagnostics;
using Orleans.Storage;
using Xunit.Abstractions;

namespace Flo.Storage.Tests.Contract;

/// <summary>
/// The contract every <see cref="FloGrainStorage"/> provider keeps (one subclass per provider), through Orleans'
/// <see cref="IGrainStorage"/> and <see cref="IRecordGrainStorage"/>: conditional writes on ETags, tombstones on clear,
/// exactly one winner among racing writers, records atomic with the state, batching that loses nothing.
/// </summary>
public abstract partial class GrainStorageContractTests(ITestOutputHelper output) : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    private FloGrainStorage storage = null!;

    protected FloGrainStorage Storage => storage;

    protected ITestOutputHelper Output => output;

    /// <summary>Options of the provider under test, on this test class's database.</summary>
    protected abstract FloStorageOptions CreateOptions();

    protected FloGrainStorage CreateStorage() => TestServices.CreateStorage(CreateOptions());

    public virtual async Task InitializeAsync()
    {
        storage = CreateStorage();
        await storage.InitializeAsync(None);
    }

    public virtual async Task DisposeAsync() => await storage.DisposeAsync();

    protected static GrainId NewId() => GrainId.Create("test", Guid.NewGuid().ToString("N"));

    protected static GrainState<TestState> State(int value, string? etag = null) => new(new TestState { Value = value }) { ETag = etag };

    /// <summary>Writes <paramref name="value"/> holding <paramref name="etag"/>; returns the new ETag.</summary>
    protected async Task<string> WriteAsync(GrainId id, int value, string? etag, IReadOnlyList<GrainRecordChange>? records = null, IRecordGrainStorage? target = null, CancellationToken cancellationToken = default, GrainListingChange? listing = null)
    {
        var state = State(value, etag);
        await (target ?? storage).WriteStateAsync("s", id, state, records ?? [], listing, cancellationToken);
        Assert.True(state.RecordExists);
        return state.ETag!;
    }

    protected async Task<string> ClearAsync(GrainId id, string? etag)
    {
        var state = State(99, etag);
        await storage.ClearStateAsync("s", id, state);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State.Value); // a fresh state
        return state.ETag!;
    }

    protected async Task<GrainState<TestState>> ReadAsync(GrainId id, string stateName = "s", IGrainStorage? source = null)
    {
        var state = State(-1);
        await (source ?? storage).ReadStateAsync(stateName, id, state);
        return state;
    }

    [Fact]
    public async Task ManyStatesReadAtOnceEachGetTheirOwnStateEtagAndExistence()
    {
        // Activations starting together read together (PostgreSQL batches such reads into one query).
        var ids = Enumerable.Range(0, 60).Select(_ => NewId()).ToArray();
        var etags = new string?[ids.Length];
        for (var i = 0; i < ids.Length; i += 3)
        {
            etags[i] = await WriteAsync(ids[i], i, null);
            etags[i + 1] = await ClearAsync(ids[i + 1], await WriteAsync(ids[i + 1], i + 1, null));
            // ids[i + 2]: never stored.
        }
        var reads = await Task.WhenAll(ids.Select(id => ReadAsync(id)));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(etags[i], reads[i].ETag);
            Assert.Equal(i % 3 == 0, reads[i].RecordExists);
            Assert.Equal(i % 3 == 0 ? i : 0, reads[i].State.Value);
        }
    }

    [Fact]
    public async Task ReadingAMissingStateGivesAFreshStateAndNoEtag()
    {
        var state = await ReadAsync(NewId());
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal(0, state.State.Value);
    }

    [Fact]
    public async Task WriteThenReadRoundTripsTheStateAndEtag()
    {
        var id = NewId();
        var written = new GrainState<TestState>(new TestState { Value = 7, Text = "seven", Blob = [1, 2, 3] });
        await Storage.WriteStateAsync("s", id, written);
        Assert.Equal("1", written.ETag);
        var read = await ReadAsync(id);
        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Assert.Equal(7, read.State.Value);
        Assert.Equal("seven", read.State.Text);
        Assert.Equal([1, 2, 3], read.State.Blob);

        Assert.Equal("2", await WriteAsync(id, 8, "1"));
        read = await ReadAsync(id);
        Assert.Equal(("2", 8), (read.ETag, read.State.Value));

        // State names and grains are separate states.
        Assert.False((await ReadAsync(id, "other")).RecordExists);
        Assert.False((await ReadAsync(GrainId.Create("other", id.Key.ToString()!))).RecordExists);
    }

    [Fact]
    public async Task AStaleEtagThrowsAndChangesNeitherStateNorRecords()
    {
        var id = NewId();
        var first = await WriteAsync(id, 1, null, [Put(1, 1)]);
        var second = await WriteAsync(id, 2, first, [Put(2, 2)]);

        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 3, first, [Put(1, 99), Delete(2), Put(3, 3)]));
        // The error names the grain, the state and both ETags, so a log line explains the conflict on its own.
        Assert.Contains(id.ToString(), stale.Message);
        Assert.Contains("'s'", stale.Message);
        Assert.Equal(second, stale.StoredEtag);
        Assert.Equal(first, stale.CurrentEtag);

        // Expected "nothing stored" while a state exists; an ETag the storage never issued; a stale clear.
        var expectedNone = await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 3, null, [Put(4, 4)]));
        Assert.Equal(second, expectedNone.StoredEtag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 3, "not-an-etag"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => ClearAsync(id, first));

        var read = await ReadAsync(id);
        Assert.Equal((second, 2), (read.ETag, read.State.Value));
        Assert.Equal(["1:01", "2:02"], await AllRecordsAsync(id));
    }

    [Fact]
    public async Task AnEtagForANeverStoredStateFailsAndStoresNothing()
    {
        var id = NewId();
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 3, "5"));
        Assert.Null(error.StoredEtag);
        Assert.Equal("5", error.CurrentEtag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => ClearAsync(id, "5"));
        var read = await ReadAsync(id);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task ClearLeavesATombstoneThatStaleWritersCannotMatch()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 1, null);
        var tombstone = await ClearAsync(id, etag);
        var read = await ReadAsync(id);
        Assert.False(read.RecordExists);
        Assert.Equal(tombstone, read.ETag);
        Assert.NotEqual(etag, tombstone);

        // A writer holding the ETag from before the clear, or one that thinks nothing was ever stored, fails.
        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 9, etag));
        Assert.Equal(tombstone, stale.StoredEtag);
        Assert.Contains("tombstone", stale.Message);
        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 9, null));
        Assert.False((await ReadAsync(id)).RecordExists);

        // The writer holding the tombstone's ETag recreates the state, with a version never used before.
        var recreated = await WriteAsync(id, 2, tombstone);
        read = await ReadAsync(id);
        Assert.Equal((recreated, 2, true), (read.ETag, read.State.Value, read.RecordExists));
        Assert.NotEqual(etag, recreated);
        Assert.NotEqual(tombstone, recreated);
        await Assert.ThrowsAsync<InconsistentStateException>(() => ClearAsync(id, tombstone));
    }

    [Fact]
    public async Task ClearingWhatWasNeverStoredLeavesATombstone()
    {
        var id = NewId();
        var tombstone = await ClearAsync(id, null);
        Assert.Equal(tombstone, (await ReadAsync(id)).ETag);
        // A second activation that also read "nothing" cannot write behind the first one's clear.
        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 1, null));
        var again = await ClearAsync(id, tombstone);
        Assert.NotEqual(tombstone, again);
    }

    [Fact]
    public async Task LargeStatesAndLongGrainIdsRoundTrip()
    {
        var id = GrainId.Create("test", new string('k', 1500) + Guid.NewGuid().ToString("N"));
        var blob = new byte[1024 * 1024];
        new Random(7).NextBytes(blob);
        var written = new GrainState<TestState>(new TestState { Blob = blob, Text = new string('t', 10_000) });
        await Storage.WriteStateAsync("s", id, written);
        var read = await ReadAsync(id);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(blob.AsSpan().SequenceEqual(read.State.Blob));
        Assert.Equal(10_000, read.State.Text!.Length);
    }

    [Fact]
    public async Task InvalidArgumentsAreRejectedBeforeTouchingStorage()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(default, 1, null));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.WriteStateAsync("", NewId(), State(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(GrainId.Create("test", "a\0b"), 1, null));
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(GrainId.Create("test", new string('x', 3000)), 1, null));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.ReadStateAsync(null!, NewId(), State(1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.ReadRecordsAsync("s", NewId(), 0, 0, None));
    }

    [Fact]
    public async Task ACallerCanceledBeforeItsWriteIsQueuedStoresNothing()
    {
        var id = NewId();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => WriteAsync(id, 1, null, cancellationToken: canceled.Token));
        Assert.Null((await ReadAsync(id)).ETag);
    }

    [Fact]
    public async Task OfManyWritersRacingFromOneEtagExactlyOneWins()
    {
        var id = NewId();
        var start = await WriteAsync(id, 0, null);
        var results = await Task.WhenAll(Enumerable.Range(1, 50).Select(async i =>
        {
            try
            {
                return (Writer: i, Etag: await WriteAsync(id, i, start));
            }
            catch (InconsistentStateException)
            {
                return (Writer: 0, Etag: (string?)null);
            }
        }));
        var winner = Assert.Single(results, r => r.Writer != 0);
        var read = await ReadAsync(id);
        Assert.Equal((winner.Etag, winner.Writer), (read.ETag, read.State.Value));
    }

    [Fact]
    public async Task AConflictingWriteDoesNotFailTheWritesBesideIt()
    {
        // Half of the concurrent writes hold a stale ETag; they go into the same batches as the valid half.
        var ids = Enumerable.Range(0, 100).Select(_ => NewId()).ToArray();
        var etags = await Task.WhenAll(ids.Select(id => WriteAsync(id, 0, null)));
        var outcomes = await Task.WhenAll(ids.Select(async (id, i) =>
        {
            try
            {
                await WriteAsync(id, 1, i % 2 == 0 ? etags[i] : "999");
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
            Assert.Equal(i % 2 == 0 ? 1 : 0, (await ReadAsync(ids[i])).State.Value);
        }
    }

    [Fact]
    public async Task ConcurrentWritesOfManyGrainsAllLandAndShareTransactions()
    {
        var before = Storage.Statistics;
        var ids = Enumerable.Range(0, 500).Select(_ => NewId()).ToArray();
        var clock = Stopwatch.StartNew();
        var etags = await Task.WhenAll(ids.Select((id, i) => WriteAsync(id, i, null)));
        clock.Stop();
        Assert.All(etags, e => Assert.Equal("1", e));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(i, (await ReadAsync(ids[i])).State.Value);
        }

        var after = Storage.Statistics;
        var batches = after.Batches - before.Batches;
        var writes = after.Writes - before.Writes;
        var report = $"{GetType().Name}: {ids.Length} concurrent writes in {clock.Elapsed.TotalMilliseconds:F0} ms, {batches} transactions, largest batch {after.LargestBatch}";
        Output.WriteLine(report);
        if (Storage.Provider != FloStorageProvider.Memory)
        {
            Assert.Equal(ids.Length, writes);
            // Concurrent writes were committed in shared transactions, not one each.
            Assert.True(batches < writes, report);
            Assert.True(after.LargestBatch > 1, report);
        }
    }

    /// <summary>Memory too: a named memory store outlives the providers (silos) using it, as a database does.</summary>
    [Fact]
    public async Task WrittenDataSurvivesReopeningTheProvider()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 42, null, [Put(1, 1)]);
        var cleared = NewId();
        var tombstone = await ClearAsync(cleared, await WriteAsync(cleared, 1, null));
        await storage.DisposeAsync();

        storage = CreateStorage();
        await storage.InitializeAsync(None);
        var read = await ReadAsync(id);
        Assert.Equal((etag, 42), (read.ETag, read.State.Value));
        Assert.Equal(["1:01"], await AllRecordsAsync(id));
        Assert.Equal(tombstone, (await ReadAsync(cleared)).ETag);
        // Versions continue across the restart: the old ETag still writes, and only once.
        Assert.Equal("2", await WriteAsync(id, 43, etag));
        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(id, 44, etag));
    }

    [Fact]
    public async Task InitializingAgainAndFromSeveralProvidersAtOnceIsHarmless()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 1, null);
        await Storage.InitializeAsync(None);
        var others = Enumerable.Range(0, 3).Select(_ => CreateStorage()).ToArray();
        try
        {
            await Task.WhenAll(others.Select(o => o.InitializeAsync(None)));
            Assert.All(others, o => Assert.Equal(Storage.SchemaVersion, o.SchemaVersion));
            // Applying the schema again kept the data, and every provider sees the same database.
            Assert.Equal(etag, (await ReadAsync(id)).ETag);
            var shared = NewId();
            await WriteAsync(shared, 1, null, target: others[0]);
            Assert.True((await ReadAsync(shared, source: others[1])).RecordExists);
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
        Assert.True(await Storage.CheckHealthAsync(None));
        Assert.Contains(Storage.Provider switch { FloStorageProvider.Memory => "memory", FloStorageProvider.Sqlite => "SQLite", _ => "PostgreSQL" }, Storage.Describe());
    }

    protected static GrainRecordChange Put(long id, params byte[] data) => GrainRecordChange.Upsert(id, data);

    protected static GrainRecordChange Delete(long id) => GrainRecordChange.Delete(id);

    /// <summary>Every record as "id:hex", read page by page.</summary>
    protected async Task<List<string>> AllRecordsAsync(GrainId id, int pageSize = 1000)
    {
        var all = new List<string>();
        var after = long.MinValue;
        while (true)
        {
            var page = await Storage.ReadRecordsAsync("s", id, after, pageSize, None);
            all.AddRange(page.Select(r => $"{r.Id}:{Convert.ToHexString(r.Data.Span)}"));
            if (page.Count < pageSize)
            {
                return all;
            }
            after = page[^1].Id;
        }
    }

    [Fact]
    public async Task RecordsAreWrittenWithTheStateAndReadInIdOrderAfterAnIdWithALimit()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 1, null, [Put(5, 50), Put(-2, 20), Put(9, 90)]);
        etag = await WriteAsync(id, 2, etag, [Put(5, 55), Delete(9), Put(7, 70), Delete(1234)]);
        Assert.Equal("2", etag);
        Assert.Equal(["-2:14", "5:37", "7:46"], await AllRecordsAsync(id));
        Assert.Equal(["-2:14", "5:37", "7:46"], await AllRecordsAsync(id, pageSize: 1));
        Assert.Equal([7L], (await Storage.ReadRecordsAsync("s", id, 5, 10, None)).Select(r => r.Id));
        Assert.Equal([-2L, 5L], (await Storage.ReadRecordsAsync("s", id, long.MinValue, 2, None)).Select(r => r.Id));
        Assert.Equal(2, (await ReadAsync(id)).State.Value);
        Assert.Empty(await Storage.ReadRecordsAsync("other", id, long.MinValue, 10, None));
    }

    [Fact]
    public async Task AnEmptyRecordIsARecordAndADeleteRemovesIt()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 1, null, [GrainRecordChange.Upsert(1, ReadOnlyMemory<byte>.Empty), Put(2, 2)]);
        Assert.Equal(["1:", "2:02"], await AllRecordsAsync(id));
        await WriteAsync(id, 2, etag, [Delete(1), Delete(2)]);
        Assert.Empty(await AllRecordsAsync(id));
    }

    [Fact]
    public async Task DeletesOfRunsAndLoneIdsInAnyOrderRemoveExactlyThoseRecords()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 1, null, [.. Enumerable.Range(1, 12).Select(i => Put(i, (byte)i))]);
        // Runs 1-3 and 9-10, lone 6 and 12, a missing 20; given out of order and beside an upsert inside a gap.
        await WriteAsync(id, 2, etag, [Delete(10), Delete(2), Delete(12), Put(7, 77), Delete(6), Delete(1), Delete(20), Delete(9), Delete(3)]);
        Assert.Equal(["4:04", "5:05", "7:4D", "8:08", "11:0B"], await AllRecordsAsync(id));
    }

    [Fact]
    public async Task ClearDeletesEveryRecordAndARecreatedStateStartsEmpty()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 1, null, [Put(1, 1), Put(2, 2)]);
        var tombstone = await ClearAsync(id, etag);
        Assert.Empty(await AllRecordsAsync(id));
        await WriteAsync(id, 1, tombstone, [Put(3, 3)]);
        Assert.Equal(["3:03"], await AllRecordsAsync(id));
    }

    [Fact]
    public async Task ChangingOneRecordTwiceInOneWriteIsRefusedAndStoresNothing()
    {
        var id = NewId();
        var etag = await WriteAsync(id, 1, null, [Put(1, 1)]);
        await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync(id, 2, etag, [Put(1, 2), Delete(1)]));
        Assert.Equal(etag, (await ReadAsync(id)).ETag);
        Assert.Equal(["1:01"], await AllRecordsAsync(id));
    }

    [Fact]
    public async Task ConcurrentWritesWithRecordsOfManyGrainsAllLand()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => NewId()).ToArray();
        var etags = await Task.WhenAll(ids.Select(id => WriteAsync(id, 1, null, [Put(1, 1)])));
        await Task.WhenAll(ids.Select((id, i) => WriteAsync(id, 2, etags[i], [.. Enumerable.Range(2, 100).Select(n => Put(n, (byte)n))])));
        foreach (var id in ids)
        {
            Assert.Equal(Enumerable.Range(1, 101).Select(n => $"{n}:{n:X2}"), await AllRecordsAsync(id, pageSize: 37));
        }
    }
}
