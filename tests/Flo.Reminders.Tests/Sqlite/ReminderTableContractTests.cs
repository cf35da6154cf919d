namespace Flo.Reminders.Tests.Sqlite;

/// <summary>
/// The <see cref="IReminderTable"/> contract as Orleans' reminder service relies on it; one subclass per backend.
/// </summary>
public abstract class ReminderTableContractTests : IAsyncLifetime
{
    private IReminderTable table = null!;

    protected IReminderTable Table => table;

    /// <summary>A started table for <paramref name="serviceId"/>; tables created by one test share one database.</summary>
    protected abstract Task<IReminderTable> CreateTableAsync(string serviceId);

    public async Task InitializeAsync() => table = await CreateTableAsync("service-a");

    public virtual Task DisposeAsync() => table.StopAsync();

    protected static GrainId Grain(string key) => GrainId.Create("reminder-test", key);

    protected static ReminderEntry Entry(GrainId grain, string name, TimeSpan? period = null) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc).AddTicks(9),
        Period = period ?? TimeSpan.FromMinutes(1),
    };

    [Fact]
    public async Task UpsertReturnsAnETagThatReadsBackWithTheEntry()
    {
        var grain = Grain("a");
        var etag = await Table.UpsertRow(Entry(grain, "r1"));
        Assert.False(string.IsNullOrEmpty(etag));

        var row = await Table.ReadRow(grain, "r1");
        Assert.NotNull(row);
        Assert.Equal(grain, row.GrainId);
        Assert.Equal("r1", row.ReminderName);
        Assert.Equal(Entry(grain, "r1").StartAt, row.StartAt);
        Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(1), row.Period);
        Assert.Equal(etag, row.ETag);

        var updated = await Table.UpsertRow(Entry(grain, "r1", TimeSpan.FromHours(1)));
        Assert.NotEqual(etag, updated);
        row = await Table.ReadRow(grain, "r1");
        Assert.Equal(updated, row!.ETag);
        Assert.Equal(TimeSpan.FromHours(1), row.Period);
        Assert.Single((await Table.ReadRows(grain)).Reminders);
    }

    [Fact]
    public async Task ReadsByGrainAndByName()
    {
        var a = Grain("a");
        var b = Grain("b");
        await Table.UpsertRow(Entry(a, "r1"));
        await Table.UpsertRow(Entry(a, "r2"));
        await Table.UpsertRow(Entry(b, "r1"));

        var ofA = (await Table.ReadRows(a)).Reminders;
        Assert.Equal(["r1", "r2"], ofA.Select(r => r.ReminderName).Order());
        Assert.All(ofA, r => Assert.Equal(a, r.GrainId));
        Assert.Equal(b, (await Table.ReadRow(b, "r1"))!.GrainId);
        Assert.Null(await Table.ReadRow(b, "r2"));
        Assert.Empty((await Table.ReadRows(Grain("none"))).Reminders);
    }

    [Fact]
    public async Task RangeReadsFollowTheRingIncludingWrapAround()
    {
        var grains = Enumerable.Range(0, 64).Select(i => Grain("g" + i)).ToList();
        foreach (var grain in grains)
        {
            await Table.UpsertRow(Entry(grain, "r"));
        }
        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        uint middle = hashes[20], late = hashes[50];
        (uint Begin, uint End)[] ranges =
        [
            (middle, late),                     // (begin, end]
            (late, middle),                     // wraps: > late or <= middle
            (0, uint.MaxValue),                 // everything but hash 0
            (uint.MaxValue, uint.MaxValue),     // begin == end: the whole ring
            (middle, middle),
            (middle - 1, middle),               // exactly one
            (middle, middle + 1),               // none (begin is exclusive)
        ];
        foreach (var (begin, end) in ranges)
        {
            var expected = grains.Where(g => InRange(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order().ToList();
            var actual = (await Table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.ToString()).Order().ToList();
            Assert.Equal(expected, actual);
        }
        Assert.Equal(64, (await Table.ReadRows(0u, 0u)).Reminders.Count);
        Assert.Single((await Table.ReadRows(middle - 1, middle)).Reminders);
        Assert.Equal(30, (await Table.ReadRows(middle, late)).Reminders.Count);

        static bool InRange(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
    }

    [Fact]
    public async Task RemoveNeedsTheCurrentETag()
    {
        var grain = Grain("a");
        var first = await Table.UpsertRow(Entry(grain, "r1"));
        var current = await Table.UpsertRow(Entry(grain, "r1"));

        Assert.False(await Table.RemoveRow(grain, "r1", first!));
        Assert.False(await Table.RemoveRow(grain, "r1", "not-an-etag"));
        Assert.NotNull(await Table.ReadRow(grain, "r1"));

        Assert.True(await Table.RemoveRow(grain, "r1", current!));
        Assert.Null(await Table.ReadRow(grain, "r1"));
        Assert.False(await Table.RemoveRow(grain, "r1", current!));

        // A row created again never takes an ETag from its earlier life.
        var again = await Table.UpsertRow(Entry(grain, "r1"));
        Assert.NotEqual(current, again);
        Assert.False(await Table.RemoveRow(grain, "r1", current!));
    }

    [Fact]
    public async Task ServicesSharingTheDatabaseDoNotSeeEachOther()
    {
        var other = await CreateTableAsync("service-b");
        var grain = Grain("a");
        await Table.UpsertRow(Entry(grain, "r1"));
        var etagB = await other.UpsertRow(Entry(grain, "r1"));

        Assert.Single((await other.ReadRows(0u, 0u)).Reminders);
        Assert.False(await Table.RemoveRow(grain, "r1", etagB!));

        await Table.TestOnlyClearTable();
        Assert.Empty((await Table.ReadRows(0u, 0u)).Reminders);
        Assert.Null(await Table.ReadRow(grain, "r1"));
        Assert.Equal(etagB, (await other.ReadRow(grain, "r1"))!.ETag);
        await other.StopAsync();
    }

    [Fact]
    public async Task TestOnlyClearTableDeletesEveryRow()
    {
        for (var i = 0; i < 5; i++)
        {
            await Table.UpsertRow(Entry(Grain("g" + i), "r"));
        }
        await Table.TestOnlyClearTable();
        Assert.Empty((await Table.ReadRows(0u, 0u)).Reminders);
    }

    [Fact]
    public async Task ConcurrentUpsertsFromTwoSilosAllLand()
    {
        // Two table instances on one database, as two silos of one machine.
        var second = await CreateTableAsync("service-a");
        var tables = new[] { Table, second };
        var writes = Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var grain = Grain("c" + (i % 25));
            return (Grain: grain, Name: "r" + (i % 2), ETag: await tables[i % 2].UpsertRow(Entry(grain, "r" + (i % 2))));
        })).ToList();
        var results = await Task.WhenAll(writes);

        Assert.All(results, r => Assert.False(string.IsNullOrEmpty(r.ETag)));
        Assert.Equal(results.Length, results.Select(r => r.ETag).Distinct().Count());
        var rows = (await second.ReadRows(0u, 0u)).Reminders;
        Assert.Equal(50, rows.Count);
        // Each row holds the ETag of one of the writes to it (the last writer's).
        foreach (var row in rows)
        {
            Assert.Contains(results, r => r.Grain == row.GrainId && r.Name == row.ReminderName && r.ETag == row.ETag);
        }
        await second.StopAsync();
    }
}
