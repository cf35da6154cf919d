using System.Diagnostics.Metrics;
using System.Text;
using Flo.Grains.Diagnostics;

using Flo.Tests.Shared;

namespace Flo.Kv.Tests;

/// <summary>
/// Concurrent writes of one key through one <see cref="KvApi"/> (a silo's connections) share grain calls: fewer calls
/// than writes, each caller answered with its own write's outcome, and one caller's bad write refused alone.
/// </summary>
[Trait("Category", "Kv")]
public sealed class KvJoinedWritesTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private static string NewNamespace() => $"joined-{Guid.NewGuid():N}";

    [Fact]
    public async Task ConcurrentWritesOfOneKeyShareCallsAndEachCallerGetsItsOwnVersion()
    {
        var ns = NewNamespace();
        using var calls = new OpsPerCall(ns);
        var kv = new KvApi(fixture.Cluster.Cluster.Client);
        const int Writes = 400;

        var versions = await Task.WhenAll(Enumerable.Range(0, Writes).Select(i => kv.PutAsync(ns, "hot", Encoding.UTF8.GetBytes($"w{i}"))));

        Assert.Equal(Enumerable.Range(1, Writes).Select(v => (long)v), versions.Order());
        // Every write reached the grain, in far fewer calls than writes (without joining: one call each).
        Assert.Equal(Writes, calls.Operations);
        Assert.InRange(calls.Calls, 1, Writes / 4);
        // Each caller was answered with its own write's version: the kept history holds, at each version, the value
        // of the caller that got it.
        var history = await kv.HistoryAsync(ns, "hot", KvKeys.HistoryDepth);
        Assert.Equal(KvKeys.HistoryDepth, history.Count);
        foreach (var version in history)
        {
            Assert.Equal($"w{Array.IndexOf(versions, version.Version)}", Encoding.UTF8.GetString(version.Value!));
        }
    }

    [Fact]
    public async Task JoinedWritesAnswerEachCallersConditionAndDeletes()
    {
        var ns = NewNamespace();
        var kv = new KvApi(fixture.Cluster.Cluster.Client);
        var first = await kv.PutAsync(ns, "cas", "start"u8.ToArray());

        // Many callers race a CAS on the same version, beside plain writes of another key and deletes of a third.
        await kv.PutAsync(ns, "gone", "x"u8.ToArray());
        var cas = Enumerable.Range(0, 50).Select(i => kv.PutAsync(ns, "cas", Encoding.UTF8.GetBytes($"c{i}"), new KvPutCondition { CasVersion = first })).ToArray();
        var deletes = Enumerable.Range(0, 20).Select(_ => kv.DeleteAsync(ns, "gone")).ToArray();
        var outcomes = await Task.WhenAll(cas.Select(async t =>
        {
            try
            {
                return (Version: await t, Conflict: (VersionConflictException?)null);
            }
            catch (VersionConflictException e)
            {
                return (Version: 0L, Conflict: e);
            }
        }));
        var removed = await Task.WhenAll(deletes);

        var winners = outcomes.Where(o => o.Conflict is null).ToArray();
        Assert.Single(winners);
        Assert.Equal(49, outcomes.Count(o => o.Conflict is not null));
        var entry = await kv.GetAsync(ns, "cas");
        Assert.Equal(winners[0].Version, entry!.Version);
        Assert.Equal(first + 1, entry.Version);
        // Exactly one delete removed the key; the others found it gone.
        Assert.Equal(1, removed.Count(r => r));
        Assert.Null(await kv.GetAsync(ns, "gone"));
    }

    [Fact]
    public async Task OneCallersBadWriteIsRefusedAloneAndTheOthersAreStored()
    {
        var ns = NewNamespace();
        var kv = new KvApi(fixture.Cluster.Cluster.Client, maxValueBytes: 8);
        var bad = new Func<Task<long>>[]
        {
            () => kv.PutAsync(ns, "k", new byte[9]),
            () => kv.PutAsync(ns, "k", "v"u8.ToArray(), new KvPutCondition { TtlSeconds = -1 }),
            () => kv.PutAsync(ns, "k", "v"u8.ToArray(), new KvPutCondition { TtlSeconds = long.MaxValue }),
            () => kv.PutAsync(ns, "k", "v"u8.ToArray(), new KvPutCondition { CasVersion = -2 }),
        };
        var writes = new List<Task<long>>();
        var refused = new List<Task<long>>();
        for (var i = 0; i < 100; i++)
        {
            writes.Add(kv.PutAsync(ns, "k", Encoding.UTF8.GetBytes($"v{i}")));
            if (i % 25 == 0)
            {
                refused.Add(bad[i / 25]());
            }
        }

        Assert.Equal(Enumerable.Range(1, 100).Select(v => (long)v), (await Task.WhenAll(writes)).Order());
        foreach (var task in refused)
        {
            await Assert.ThrowsAsync<KvArgumentException>(() => task);
        }
        Assert.Equal(100, (await kv.GetAsync(ns, "k"))!.Version);
    }

    /// <summary>The key grains' calls and operations in one namespace, from <c>flo.kv.call.operations</c> (every silo of the process).</summary>
    private sealed class OpsPerCall : IDisposable
    {
        private readonly MeterListener listener = new();
        private long calls;
        private long operations;

        public OpsPerCall(string ns)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == FloInstruments.MeterName && instrument.Name == "flo.kv.call.operations")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "namespace" && (string?)tag.Value == ns)
                    {
                        Interlocked.Increment(ref calls);
                        Interlocked.Add(ref operations, value);
                    }
                }
            });
            listener.Start();
        }

        public long Calls => Interlocked.Read(ref calls);

        public long Operations => Interlocked.Read(ref operations);

        public void Dispose() => listener.Dispose();
    }
}
