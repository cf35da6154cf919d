using Orleans.Storage;

namespace Flo.Storage.Tests.Contract;

/// <summary>Listing (<see cref="IGrainListing"/>): states listed by their writes, scanned by key prefix and by due time.</summary>
public abstract partial class GrainStorageContractTests
{
    private static readonly GrainType ListedType = GrainType.Create("listed");

    private static GrainId Listed(string key) => GrainId.Create(ListedType, key);

    private async Task<string[]> ListKeysAsync(string prefix, string? after = null, int limit = 100)
        => [.. (await Storage.ListAsync("s", ListedType, prefix, after, limit)).Select(l => l.Key)];

    [Fact]
    public async Task ListedStatesAreScannedByPrefixInUtf8OrderFromACursor()
    {
        var p = Guid.NewGuid().ToString("N") + "/";
        // U+FFFD sorts before a surrogate pair (U+1F600) in UTF-8, after it in UTF-16.
        string[] keys = [p + "b", p + "\U0001F600", p + "a", p + "\uFFFD", p, p + "a/x"];
        foreach (var key in keys)
        {
            await WriteAsync(Listed(key), 1, null, listing: GrainListingChange.List());
        }
        // Not listed: written without a listing change, another prefix, another type, another state name.
        await WriteAsync(Listed(p + "c"), 1, null);
        await WriteAsync(Listed(p[..^1] + "0"), 1, null, listing: GrainListingChange.List());
        await WriteAsync(GrainId.Create("other", p + "d"), 1, null, listing: GrainListingChange.List());
        await Storage.WriteStateAsync("t", Listed(p + "e"), State(1), [], GrainListingChange.List(), None);

        string[] ordered = [p, p + "a", p + "a/x", p + "b", p + "\uFFFD", p + "\U0001F600"];
        Assert.Equal(ordered, await ListKeysAsync(p));
        Assert.Equal(ordered[..2], await ListKeysAsync(p, limit: 2));
        Assert.Equal(ordered[2..], await ListKeysAsync(p, after: p + "a"));
        Assert.Equal([p + "a", p + "a/x"], await ListKeysAsync(p + "a"));
        Assert.Equal(ordered[5..], await ListKeysAsync(p, after: p + "\uFFFD"));
        Assert.Empty(await ListKeysAsync(p, after: p + "\U0001F600"));
        // A cursor before the prefix starts at the prefix.
        Assert.Equal(ordered, await ListKeysAsync(p, after: "0"));
    }

    [Fact]
    public async Task DueTimesAreListedEarliestFirstAndUnlistingOrClearingTakesAStateOut()
    {
        var p = Guid.NewGuid().ToString("N") + "/";
        await WriteAsync(Listed(p + "never"), 1, null, listing: GrainListingChange.List());
        var late = await WriteAsync(Listed(p + "late"), 1, null, listing: GrainListingChange.List(200));
        var early = await WriteAsync(Listed(p + "early"), 1, null, listing: GrainListingChange.List(100));
        var overdue = await WriteAsync(Listed(p + "overdue"), 1, null, listing: GrainListingChange.List(-1));

        var listed = await Storage.ListAsync("s", ListedType, p, null, 10);
        Assert.Equal([(p + "early", 100L), (p + "late", 200L), (p + "never", 0L), (p + "overdue", -1L)], listed.Select(l => (l.Key, l.DueMs)));
        Assert.Equal([p + "overdue", p + "early"], (await Storage.ListDueAsync("s", ListedType, 150, 1000)).Where(l => l.Key.StartsWith(p, StringComparison.Ordinal)).Select(l => l.Key));

        // A write without a listing change keeps the listing; a new due time replaces the old one.
        early = await WriteAsync(Listed(p + "early"), 2, early);
        early = await WriteAsync(Listed(p + "early"), 3, early, listing: GrainListingChange.List(0));
        late = await WriteAsync(Listed(p + "late"), 2, late, listing: GrainListingChange.Unlist);
        await ClearAsync(Listed(p + "overdue"), overdue);
        Assert.Equal([p + "early", p + "never"], await ListKeysAsync(p));
        Assert.DoesNotContain((await Storage.ListDueAsync("s", ListedType, long.MaxValue, 1000)).Select(l => l.Key), k => k.StartsWith(p, StringComparison.Ordinal));

        // A failed write's listing change is not stored.
        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(Listed(p + "never"), 2, "7", listing: GrainListingChange.Unlist));
        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(Listed(p + "late"), 3, "1", listing: GrainListingChange.List()));
        Assert.Equal([p + "early", p + "never"], await ListKeysAsync(p));
    }
}
