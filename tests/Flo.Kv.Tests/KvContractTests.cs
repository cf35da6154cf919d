using System.Diagnostics;
using System.Text;

using Flo.Grains;
using Flo.Storage;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Flo.Kv.Tests;

/// <summary>Every line of the KV contract (spec/kv.md), run against each deployment.</summary>
public abstract class KvContractTests<TFixture>(TFixture fixture) where TFixture : PlatformClusterFixture
{
    protected FloClient Client => fixture.Client;

    protected KvClient Kv => fixture.Client.Kv;

    private static string NewKey(string prefix = "k") => $"{prefix}:{Guid.NewGuid():N}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task APutIsReadBackWithVersionTimestampsAndNoExpiry()
    {
        var key = NewKey();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(1, await Kv.PutAsync(key, Bytes("John Doe")));
        var entry = await Kv.GetAsync(key);
        Assert.NotNull(entry);
        Assert.Equal("John Doe", Encoding.UTF8.GetString(entry.Value));
        Assert.Equal(1, entry.Version);
        Assert.Equal(entry.CreatedMs, entry.UpdatedMs);
        Assert.InRange(entry.CreatedMs, before - 5_000, before + 60_000);
        Assert.Equal(0, entry.ExpiresAtMs);
        Assert.Null(await Kv.GetAsync(NewKey("missing")));
    }

    [Fact]
    public async Task VersionsCountEveryPutAndDeleteAndHistoryKeepsTombstonesNewestFirst()
    {
        var key = NewKey();
        Assert.Equal(1, await Kv.PutAsync(key, Bytes("a")));
        Assert.Equal(2, await Kv.PutAsync(key, Bytes("b")));
        var created = (await Kv.GetAsync(key))!.CreatedMs;
        Assert.True(await Kv.DeleteAsync(key));
        Assert.Null(await Kv.GetAsync(key));
        Assert.False(await Kv.DeleteAsync(key));
        Assert.Equal(4, await Kv.PutAsync(key, Bytes("c")));

        var history = await Kv.HistoryAsync(key);
        Assert.Equal([4L, 3, 2, 1], history.Select(h => h.Version));
        Assert.True(history[1].IsTombstone);
        Assert.Null(history[1].Value);
        Assert.Equal("b", Encoding.UTF8.GetString(history[2].Value!));
        var entry = (await Kv.GetAsync(key))!;
        Assert.Equal(4, entry.Version);
        Assert.True(entry.CreatedMs >= created);
        Assert.Single(await Kv.HistoryAsync(key, new HistoryOptions(Limit: 1)));
    }

    [Fact]
    public async Task HistoryDefaultsToTenAndKeepsTheLast64Versions()
    {
        var key = NewKey();
        for (var i = 1; i <= 70; i++)
        {
            await Kv.PutAsync(key, Bytes($"v{i}"));
        }
        Assert.Equal(10, (await Kv.HistoryAsync(key)).Count);
        var all = await Kv.HistoryAsync(key, new HistoryOptions(Limit: 64));
        Assert.Equal(64, all.Count);
        Assert.Equal(70, all[0].Version);
        Assert.Equal(7, all[^1].Version);
    }

    [Fact]
    public async Task CasSucceedsOnlyOnTheCurrentVersionAndAConflictCarriesIt()
    {
        var key = NewKey();
        Assert.Equal(1, await Kv.PutAsync(key, Bytes("1"), new PutOptions(CasVersion: 0)));
        var conflict = await Assert.ThrowsAsync<VersionConflictException>(() => Kv.PutAsync(key, Bytes("x"), new PutOptions(CasVersion: 0)));
        Assert.Equal(1, conflict.CurrentVersion);
        conflict = await Assert.ThrowsAsync<VersionConflictException>(() => Kv.PutAsync(key, Bytes("x"), new PutOptions(CasVersion: 7)));
        Assert.Equal(1, conflict.CurrentVersion);
        Assert.Equal(7, conflict.ExpectedVersion);
        Assert.Equal(2, await Kv.PutAsync(key, Bytes("2"), new PutOptions(CasVersion: 1)));
        Assert.Equal("2", Encoding.UTF8.GetString((await Kv.GetAsync(key))!.Value));
    }

    [Fact]
    public async Task IfNotExistsFailsOnALiveKeyAndSucceedsOnAnExpiredOne()
    {
        string key;
        while (true)
        {
            key = NewKey();
            var took = Stopwatch.StartNew();
            Assert.Equal(1, await Kv.PutAsync(key, Bytes("a"), new PutOptions(TtlSeconds: 1, IfNotExists: true)));
            try
            {
                await Kv.PutAsync(key, Bytes("b"), new PutOptions(IfNotExists: true));
            }
            catch (KeyExistsException exists)
            {
                Assert.Equal(1, exists.CurrentVersion);
                break;
            }
            // Accepted: only right if the key had already expired, i.e. the two puts were a second or more apart (a
            // stalled machine); then again with a new key.
            Assert.True(took.Elapsed >= TimeSpan.FromSeconds(1), $"if-not-exists accepted on a live key ({took.ElapsedMilliseconds} ms after it was put with a 1 s TTL)");
        }
        await WaitUntilAsync(async () => await Kv.GetAsync(key) is null, "the key expires");
        Assert.Equal(2, await Kv.PutAsync(key, Bytes("c"), new PutOptions(IfNotExists: true)));
        Assert.Equal("c", Encoding.UTF8.GetString((await Kv.GetAsync(key))!.Value));
    }

    [Fact]
    public async Task TtlHidesTheKeyAtExpiryAndALaterPutWithoutTtlClearsIt()
    {
        var key = NewKey();
        await Kv.PutAsync(key, Bytes("a"), new PutOptions(TtlSeconds: 3600));
        var entry = (await Kv.GetAsync(key))!;
        Assert.InRange(entry.ExpiresAtMs - entry.UpdatedMs, 3_599_000, 3_600_000);
        await Kv.PutAsync(key, Bytes("b"));
        Assert.Equal(0, (await Kv.GetAsync(key))!.ExpiresAtMs);

        var shortLived = NewKey();
        var took = Stopwatch.StartNew();
        await Kv.PutAsync(shortLived, Bytes("x"), new PutOptions(TtlSeconds: 1));
        // Live right after the put, unless the machine stalled for the whole second.
        Assert.True(await Kv.GetAsync(shortLived) is not null || took.Elapsed >= TimeSpan.FromSeconds(1), "the key was hidden before its TTL ended");
        await WaitUntilAsync(async () => await Kv.GetAsync(shortLived) is null, "the key expires");
        var page = await Kv.ScanAsync(shortLived);
        Assert.Empty(page.Keys);
    }

    [Fact]
    public async Task ExpiredKeysAreReclaimedInTheBackgroundAndTheirVersionsCarryOn()
    {
        var keys = Enumerable.Range(0, 10).Select(i => NewKey("reclaim")).ToArray();
        foreach (var key in keys)
        {
            await Kv.PutAsync(key, Bytes("old"));
            await Kv.PutAsync(key, new byte[10_000], new PutOptions(TtlSeconds: 1));
        }
        var started = Stopwatch.StartNew();
        foreach (var key in keys)
        {
            // Reclaimed: the values are gone from storage, one marker with the last version remains.
            await WaitUntilAsync(async () => await Kv.HistoryAsync(key) is [{ IsTombstone: true, Value: null, Version: 2 }], "the expired key is reclaimed");
        }
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15));
        Assert.Equal(3, await Kv.PutAsync(keys[0], Bytes("new")));
        Assert.Equal("new", Encoding.UTF8.GetString((await Kv.GetAsync(keys[0]))!.Value));
    }

    [Fact]
    public async Task ABlockingGetIsReleasedByAPutFromAnotherClient()
    {
        var key = NewKey();
        await using var other = await fixture.Cluster.ConnectAsync();
        var waiting = Kv.GetAsync(key, new GetOptions(BlockMs: 10_000));
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        // Other callers of the same key are served while the get waits.
        Assert.Null(await other.Kv.GetAsync(key));
        Assert.Empty(await other.Kv.HistoryAsync(key));
        await other.Kv.PutAsync(key, Bytes("here"));
        var entry = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("here", Encoding.UTF8.GetString(entry!.Value));

        var started = Stopwatch.StartNew();
        Assert.Null(await Kv.GetAsync(NewKey("never"), new GetOptions(BlockMs: 300)));
        Assert.True(started.ElapsedMilliseconds >= 250);
    }

    [Fact]
    public async Task ManyBlockingGetsOnOneKeyAreAllReleased()
    {
        var key = NewKey();
        var waiters = Enumerable.Range(0, 500).Select(_ => Kv.GetAsync(key, new GetOptions(BlockMs: 20_000))).ToArray();
        await Task.Delay(300);
        await Kv.PutAsync(key, Bytes("all"));
        var results = await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.All(results, r => Assert.Equal(1, r!.Version));
    }

    [Fact]
    public async Task AWatchSeesEveryVersionInOrder()
    {
        var key = NewKey();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<KvVersion>();
        var watching = Task.Run(async () =>
        {
            await foreach (var v in Kv.WatchAsync(key, 0, cancellationToken: cts.Token))
            {
                seen.Add(v);
                if (seen.Count == 6)
                {
                    return;
                }
            }
        });
        for (var i = 1; i <= 5; i++)
        {
            await Kv.PutAsync(key, Bytes($"v{i}"));
        }
        await Kv.DeleteAsync(key);
        await watching.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal([1L, 2, 3, 4, 5, 6], seen.Select(v => v.Version));
        Assert.Equal("v3", Encoding.UTF8.GetString(seen[2].Value!));
        Assert.True(seen[5].IsTombstone);

        // Starting from a version replays only what came after it.
        await foreach (var v in Kv.WatchAsync(key, 4, cancellationToken: cts.Token))
        {
            Assert.Equal(5, v.Version);
            break;
        }
    }

    [Fact]
    public async Task ScanReturnsPrefixedKeysInUtf8ByteOrderPageByPage()
    {
        var prefix = $"scan-{Guid.NewGuid():N}:";
        // U+FF5E sorts before U+1F600 in UTF-8 bytes but after its surrogates in UTF-16 ordinal order.
        var names = new[] { "b", "a", "ab", "\uFF5E", "\U0001F600", "A", "a0", "z" }.Concat(Enumerable.Range(0, 250).Select(i => $"n{i:D4}")).ToList();
        await Task.WhenAll(names.Select(n => Kv.PutAsync(prefix + n, Bytes(n))));
        await Kv.PutAsync($"other-{Guid.NewGuid():N}", Bytes("x"));

        var expected = names.Select(n => prefix + n).OrderBy(k => Encoding.UTF8.GetBytes(k), ByteOrder.Instance).ToList();
        var pages = new List<KvScanPage>();
        string? cursor = null;
        do
        {
            var page = await Kv.ScanAsync(prefix, new ScanOptions(Limit: 100, Cursor: cursor));
            pages.Add(page);
            cursor = page.HasMore ? page.Cursor : null;
        }
        while (cursor is not null);
        Assert.Equal(expected, pages.SelectMany(p => p.Keys));
        Assert.Equal(3, pages.Count);
        Assert.Equal(100, pages[0].Keys.Count);
        Assert.False(pages[^1].HasMore);
        Assert.Equal(expected, await Kv.ScanAllAsync(prefix, new ScanOptions(Limit: 7)).ToListAsync());
        Assert.Equal(100, (await Kv.ScanAsync(prefix)).Keys.Count);
    }

    [Fact]
    public async Task AScanCursorStaysValidWhileKeysAreAddedAndRemoved()
    {
        var prefix = $"stable-{Guid.NewGuid():N}:";
        var stable = Enumerable.Range(0, 200).Select(i => $"{prefix}s{i:D3}").ToList();
        var churn = Enumerable.Range(0, 200).Select(i => $"{prefix}c{i:D3}").ToList();
        await Task.WhenAll(stable.Concat(churn.Take(100)).Select(k => Kv.PutAsync(k, Bytes("v"))));

        using var stop = new CancellationTokenSource();
        var mutator = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                await Kv.PutAsync(churn[(i + 100) % churn.Count], Bytes("v"));
                await Kv.DeleteAsync(churn[i % churn.Count]);
                i++;
            }
        });
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Kv.ScanAsync(prefix, new ScanOptions(Limit: 13, Cursor: cursor));
            seen.AddRange(page.Keys);
            cursor = page.HasMore ? page.Cursor : null;
            await Task.Delay(5);
        }
        while (cursor is not null);
        await stop.CancelAsync();
        await mutator;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(stable, k => Assert.Contains(k, seen));
        Assert.Equal(seen.OrderBy(k => Encoding.UTF8.GetBytes(k), ByteOrder.Instance), seen);
    }

    [Fact]
    public async Task NamespacesIsolateKeysAndScans()
    {
        var key = $"iso:{Guid.NewGuid():N}";
        var ns1 = "ns1-" + Guid.NewGuid().ToString("N")[..8];
        var ns2 = "ns2-" + Guid.NewGuid().ToString("N")[..8];
        await Kv.PutAsync(key, Bytes("one"), new PutOptions(Namespace: ns1));
        await Kv.PutAsync(key, Bytes("two"), new PutOptions(Namespace: ns2));
        await Kv.PutAsync(key + ":only1", Bytes("x"), new PutOptions(Namespace: ns1));
        Assert.Equal("one", Encoding.UTF8.GetString((await Kv.GetAsync(key, new GetOptions(Namespace: ns1)))!.Value));
        Assert.Equal("two", Encoding.UTF8.GetString((await Kv.GetAsync(key, new GetOptions(Namespace: ns2)))!.Value));
        Assert.Null(await Kv.GetAsync(key));
        Assert.Equal([key, key + ":only1"], (await Kv.ScanAsync("iso:", new ScanOptions(Namespace: ns1))).Keys.Where(k => k.StartsWith(key)));
        Assert.Equal([key], (await Kv.ScanAsync("iso:", new ScanOptions(Namespace: ns2))).Keys.Where(k => k.StartsWith(key)));
        var page = await Kv.ScanAsync(key, new ScanOptions(Limit: 1, Namespace: ns1));
        Assert.True(page.HasMore);
        // A cursor from one namespace is not accepted in another.
        await Assert.ThrowsAsync<InvalidCursorException>(() => Kv.ScanAsync(key, new ScanOptions(Cursor: page.Cursor, Namespace: ns2)));
    }

    [Fact]
    public async Task BadInputIsRejectedWithTypedErrorsAndNothingIsStored()
    {
        var key = NewKey("bad");
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync("", Bytes("v")));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync(new string('k', 513), Bytes("v")));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync("\u00e9" + new string('k', 511), Bytes("v")));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync(key, new byte[KvKeys.DefaultMaxValueBytes + 1]));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync(key, Bytes("v"), new PutOptions(TtlSeconds: -1)));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync(key, Bytes("v"), new PutOptions(Namespace: "a b")));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync(key, Bytes("v"), new PutOptions(Namespace: new string('n', 65))));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync(key, Bytes("v"), new PutOptions(Namespace: "")));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.PutAsync("nul\0key", Bytes("v")));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.GetAsync(key, new GetOptions(BlockMs: -1)));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.ScanAsync("p", new ScanOptions(Limit: 0)));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.ScanAsync("p", new ScanOptions(Limit: 1001)));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Kv.ScanAsync("p", new ScanOptions(Cursor: "garbage!!")));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Kv.ScanAsync("p", new ScanOptions(Cursor: KvCursor.Encode("default", "x") + "A")));
        await Assert.ThrowsAsync<KvArgumentException>(() => Kv.HistoryAsync(key, new HistoryOptions(Limit: 0)));
        Assert.Null(await Kv.GetAsync(key));
        Assert.Empty(await Kv.HistoryAsync(key));

        // The grain checks too: a caller that skips the client's validation cannot store an oversized value.
        var grain = Client.Grains.GetGrain<IKvKeyGrain>(KvKeys.GrainKey("default", key));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.Put(new byte[KvKeys.DefaultMaxValueBytes + 1], KvPutCondition.None));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => grain.Put(Bytes("v"), new KvPutCondition { TtlSeconds = -5 }));
        Assert.Null(await Kv.GetAsync(key));
    }

    [Fact]
    public async Task KeysListedBeforeTheirExpiryWasKnownStayInScansUntilTheSweepSettlesThem()
    {
        var live = NewKey("unsettled");
        var deleted = NewKey("unsettled");
        await Kv.PutAsync(live, Bytes("a"));
        await Kv.PutAsync(deleted, Bytes("b"));
        Assert.True(await Kv.DeleteAsync(deleted));
        Assert.Empty((await Kv.ScanAsync(deleted)).Keys);

        // As the schema migration leaves the keys stored before the key index moved into storage: listed, due at once.
        // Written behind the key grains' backs, so their next write meets a new ETag and reloads first.
        var storage = (FloGrainStorage)PlatformTestCluster.Services(fixture.Cluster.Silos[0]).GetRequiredKeyedService<IGrainStorage>(FloStorage.Name);
        foreach (var key in new[] { live, deleted })
        {
            var id = GrainId.Create("kv", KvKeys.GrainKey("default", key));
            var state = new GrainState<Flo.Grains.Kv.KvKeyState>();
            await storage.ReadStateAsync("kv", id, state);
            await storage.WriteStateAsync("kv", id, state, [], GrainListingChange.List(-1), CancellationToken.None);
        }

        // The live key is in every scan meanwhile; the deleted one leaves, the live one is listed again without expiry.
        await WaitUntilAsync(async () =>
        {
            Assert.Equal([live], (await Kv.ScanAsync(live)).Keys);
            var listed = await storage.ListAsync("kv", GrainType.Create("kv"), "default/unsettled:", null, 1000);
            return (await Kv.ScanAsync(deleted)).Keys.Count == 0 && listed.Contains(new ListedGrain("default/" + live, 0));
        }, "the sweep settles both keys");
        Assert.Equal("a", Encoding.UTF8.GetString((await Kv.GetAsync(live))!.Value));
        Assert.Equal(3, await Kv.PutAsync(deleted, Bytes("c")));
        Assert.Equal([deleted], (await Kv.ScanAsync(deleted)).Keys);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }
}

/// <summary>Orders byte arrays lexicographically (the spec's scan order, as UTF-8 bytes).</summary>
internal sealed class ByteOrder : IComparer<byte[]>
{
    public static ByteOrder Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}

[Trait("Category", "Kv")]
public sealed class SingleSiloSqliteContractTests(SingleSiloSqlite fixture) : KvContractTests<SingleSiloSqlite>(fixture), IClassFixture<SingleSiloSqlite>;

[Trait("Category", "Kv")]
public sealed class ThreeSiloPostgresContractTests(ThreeSiloPostgres fixture) : KvContractTests<ThreeSiloPostgres>(fixture), IClassFixture<ThreeSiloPostgres>;

[Trait("Category", "Kv")]
public sealed class TwoSiloMemoryContractTests(TwoSiloMemory fixture) : KvContractTests<TwoSiloMemory>(fixture), IClassFixture<TwoSiloMemory>;
