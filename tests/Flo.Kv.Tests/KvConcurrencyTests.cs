using System.Collections.Concurrent;
using System.Text;

using Flo.Tests.Shared;

namespace Flo.Kv.Tests;

/// <summary>
/// The KV contract under concurrency: writes to one key share storage writes (group commit) yet stay one after another
/// (distinct, gap-free versions; one CAS or create winner); a watch keeps up with a hot key, and says when it fell behind.
/// </summary>
public abstract class KvConcurrencyTests<TFixture>(TFixture fixture) where TFixture : PlatformClusterFixture
{
    private KvClient Kv => fixture.Client.Kv;

    private static string NewKey(string prefix = "c") => $"{prefix}:{Guid.NewGuid():N}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task ConcurrentPutsToOneKeyGetDistinctGapFreeVersionsAndTheLastIsRead()
    {
        var key = NewKey();
        var versions = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Kv.PutAsync(key, Bytes($"v{i}"))));
        Assert.Equal(Enumerable.Range(1, 200).Select(v => (long)v), versions.Order());
        var entry = await Kv.GetAsync(key);
        Assert.Equal(200, entry!.Version);
        // The value read is the one whose put got the last version.
        Assert.Equal($"v{Array.IndexOf(versions, 200L)}", Encoding.UTF8.GetString(entry.Value));
        var history = await Kv.HistoryAsync(key, new HistoryOptions(64));
        Assert.Equal(Enumerable.Range(137, 64).Reverse().Select(v => (long)v), history.Select(h => h.Version));
        Assert.Equal(entry.Value, history[0].Value);
    }

    [Fact]
    public async Task ReferencesByKeyAreOrleansReferencesToTheSameGrain()
    {
        var key = KvKeys.GrainKey("default", NewKey());
        // The first call resolves the types, the second uses them: both must be what Orleans' GetGrain gives.
        var expected = (GrainReference)(object)fixture.Client.Grains.GetGrain<IKvKeyGrain>(key);
        foreach (var grain in new[] { fixture.Client.Grains.GetGrainByKey<IKvKeyGrain>(key), fixture.Client.Grains.GetGrainByKey<IKvKeyGrain>(key) })
        {
            var reference = (GrainReference)(object)grain;
            Assert.Equal(expected.GrainId, reference.GrainId);
            Assert.Equal(expected.InterfaceType, reference.InterfaceType);
        }
        await fixture.Client.Grains.GetGrainByKey<IKvKeyGrain>(key).Put(Bytes("x"), KvPutCondition.None);
        Assert.Equal("x", Encoding.UTF8.GetString((await Kv.GetAsync(key["default/".Length..]))!.Value));
    }

    [Fact]
    public async Task ConcurrentNewKeysAreAllScannedOnceTheirPutsReturned()
    {
        // Their index upserts go in batches per partition; each put returns only when its own key is stored there.
        var prefix = NewKey("scan") + "/";
        var keys = Enumerable.Range(0, 400).Select(i => $"{prefix}{i:D4}").ToArray();
        await Task.WhenAll(keys.Select((k, i) => Kv.PutAsync(k, Bytes($"v{i}"), i % 4 == 0 ? new PutOptions(TtlSeconds: 3600) : null)));
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Kv.ScanAsync(prefix, new ScanOptions(Limit: 100, Cursor: cursor));
            seen.AddRange(page.Keys);
            cursor = page.HasMore ? page.Cursor : null;
        }
        while (cursor is not null);
        Assert.Equal(keys, seen);
    }

    [Fact]
    public async Task ConcurrentCasOnOneVersionHasExactlyOneWinner()
    {
        var key = NewKey();
        var first = await Kv.PutAsync(key, Bytes("start"));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            try
            {
                return await Kv.PutAsync(key, Bytes($"cas{i}"), new PutOptions { CasVersion = first });
            }
            catch (VersionConflictException e)
            {
                Assert.True(e.CurrentVersion > first);
                return -1L;
            }
        }));
        var winner = Assert.Single(outcomes, v => v > 0);
        Assert.Equal(first + 1, winner);
        Assert.Equal(first + 1, (await Kv.GetAsync(key))!.Version);
    }

    [Fact]
    public async Task ConcurrentCreatesHaveExactlyOneWinner()
    {
        var key = NewKey();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            try
            {
                await Kv.PutAsync(key, Bytes($"create{i}"), new PutOptions { IfNotExists = true });
                return i;
            }
            catch (KeyExistsException e)
            {
                Assert.Equal(1, e.CurrentVersion);
                return -1;
            }
        }));
        var winner = Assert.Single(outcomes, i => i >= 0);
        var entry = await Kv.GetAsync(key);
        Assert.Equal(1, entry!.Version);
        Assert.Equal($"create{winner}", Encoding.UTF8.GetString(entry.Value));
        // And the scan lists it (a put that returned is visible to the next scan).
        Assert.Contains(key, (await Kv.ScanAsync(key)).Keys);
    }

    [Fact]
    public async Task AWatchSeesEveryVersionOfAKeyWrittenByFourWriters()
    {
        var key = NewKey();
        using var stop = new CancellationTokenSource();
        await using var progress = new ProgressWatchdog("puts and watched versions", TimeSpan.FromSeconds(30));
        var seen = new List<KvVersion>();
        var ready = new TaskCompletionSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var v in Kv.WatchAsync(key, 0, cancellationToken: stop.Token))
            {
                seen.Add(v);
                progress.Advance();
                if (seen.Count == 1)
                {
                    ready.TrySetResult();
                }
                if (v.Version == 1_001)
                {
                    return;
                }
            }
        });
        await Kv.PutAsync(key, Bytes("first"));
        await progress.WaitAsync(ready.Task, "the watcher's first version");
        await progress.WaitAsync(Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 250; i++)
            {
                await Kv.PutAsync(key, Bytes($"w{w}:{i}"));
                progress.Advance();
            }
        }))), "4 writers' 1,000 puts");
        await progress.WaitAsync(watching, "the watcher receives the 1,001 versions");
        Assert.Equal(Enumerable.Range(1, 1_001).Select(v => (long)v), seen.Select(v => v.Version));
        Assert.All(seen, v => Assert.Equal(0, v.Skipped));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task AWatcherWhoseCursorFellOutOfTheHistoryIsToldHowManyVersionsItMissed()
    {
        var key = NewKey();
        for (var i = 1; i <= 100; i++)
        {
            await Kv.PutAsync(key, Bytes($"v{i}"));
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<KvVersion>();
        await foreach (var v in Kv.WatchAsync(key, 10, cancellationToken: stop.Token))
        {
            seen.Add(v);
            if (v.Version == 100)
            {
                break;
            }
        }
        // Versions 11..36 are gone (the last 64 are kept): the first one received says so.
        Assert.Equal(37, seen[0].Version);
        Assert.Equal(26, seen[0].Skipped);
        Assert.Equal(Enumerable.Range(37, 64).Select(v => (long)v), seen.Select(v => v.Version));
        Assert.All(seen.Skip(1), v => Assert.Equal(0, v.Skipped));
    }
}

[Trait("Category", "Kv")]
public sealed class SingleSiloSqliteConcurrencyTests(SingleSiloSqlite fixture) : KvConcurrencyTests<SingleSiloSqlite>(fixture), IClassFixture<SingleSiloSqlite>;

[Trait("Category", "Kv")]
public sealed class ThreeSiloPostgresConcurrencyTests(ThreeSiloPostgres fixture) : KvConcurrencyTests<ThreeSiloPostgres>(fixture), IClassFixture<ThreeSiloPostgres>;

[Trait("Category", "Kv")]
public sealed class TwoSiloMemoryConcurrencyTests(TwoSiloMemory fixture) : KvConcurrencyTests<TwoSiloMemory>(fixture), IClassFixture<TwoSiloMemory>;
