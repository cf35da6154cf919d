using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using StackExchange.Redis;

using Flo.Tests.Shared;

namespace Flo.Kv.Tests;

/// <summary>
/// Gets answered on the silo that holds the key without a grain call (<see cref="IKvLocalReads"/>): the key grain's
/// published value follows every put, delete and expiry that returned, and leaves with the activation, so a key that
/// moved to another silo is read from there.
/// </summary>
[Trait("Category", "Kv")]
public sealed class KvLocalReadsTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    private const string Ns = "default";

    private PlatformTestCluster Cluster => fixture.Cluster;

    private static IKvLocalReads LocalReads(SiloHandle silo) => PlatformTestCluster.Services(silo).GetRequiredService<IKvLocalReads>();

    private IKvKeyGrain Grain(string key) => Cluster.Cluster.Client.GetGrain<IKvKeyGrain>(KvKeys.GrainKey(Ns, key));

    private static Task<ConnectionMultiplexer> RespAsync(SiloHandle silo) => ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
    {
        EndPoints = { $"127.0.0.1:{PlatformTestCluster.Listeners(silo).RespPort}" },
        AbortOnConnectFail = true,
        ConnectTimeout = 10_000,
    });

    [Fact]
    public async Task TheKeysSiloAnswersEveryPutDeleteAndExpiryThatReturnedAndNoOtherSiloClaimsTheKey()
    {
        var key = $"local:{Guid.NewGuid():N}";
        var v1 = await fixture.Client.Kv.PutAsync(key, "one"u8.ToArray());
        var host = await Cluster.HostOfAsync(Grain(key));
        Assert.NotNull(host);
        var here = LocalReads(host);
        Assert.True(here.TryGet(Ns, key, out var entry));
        Assert.Equal("one", Encoding.UTF8.GetString(entry!.Value));
        Assert.Equal(v1, entry.Version);

        var v2 = await fixture.Client.Kv.PutAsync(key, "two"u8.ToArray());
        Assert.True(here.TryGet(Ns, key, out entry));
        Assert.Equal(("two", v2), (Encoding.UTF8.GetString(entry!.Value), entry.Version));

        // The other silo does not hold the key: its reads go to the grain.
        var other = Cluster.Silos.Single(s => s != host);
        Assert.False(LocalReads(other).TryGet(Ns, key, out _));

        Assert.True(await fixture.Client.Kv.DeleteAsync(key));
        Assert.True(here.TryGet(Ns, key, out entry));
        Assert.Null(entry);

        // Expiry is decided when read: no write needed for the value to go.
        var ttl = TimeSpan.FromSeconds(1);
        var set = System.Diagnostics.Stopwatch.StartNew();
        await using (var resp = await RespAsync(host))
        {
            Assert.True(await resp.GetDatabase().StringSetAsync(key, "brief", ttl));
        }
        Assert.True(here.TryGet(Ns, key, out entry));
        // (Unless this thread was held up past the TTL, the value is still there, with its expiry.)
        Assert.True(entry is { ExpiresAtMs: > 0 } && Encoding.UTF8.GetString(entry.Value) == "brief" || set.Elapsed >= ttl, $"{entry}");
        await Task.Delay(ttl + TimeSpan.FromMilliseconds(100));
        Assert.True(here.TryGet(Ns, key, out entry));
        Assert.Null(entry);
    }

    [Fact]
    public async Task AKeyThatMovedToAnotherSiloIsReadThereNotFromTheOldSilosValue()
    {
        await using var resp0 = await RespAsync(Cluster.Silos[0]);
        await using var resp1 = await RespAsync(Cluster.Silos[1]);
        var management = Cluster.Cluster.Client.GetGrain<IManagementGrain>(0);
        var seen = new List<string>();
        // Placement decides where a key lives: try keys, written first through one silo's RESP port and then through the
        // other's, until one lived on the first silo and then on the second.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var (oldSilo, newSilo) = attempt % 2 == 0 ? (1, 0) : (0, 1);
            var oldDb = (oldSilo == 0 ? resp0 : resp1).GetDatabase();
            var newDb = (newSilo == 0 ? resp0 : resp1).GetDatabase();
            var key = $"moved:{attempt}:{Guid.NewGuid():N}";
            Assert.True(await oldDb.StringSetAsync(key, "old"));
            Assert.Equal("old", (string?)await oldDb.StringGetAsync(key));
            var first = await Cluster.HostOfAsync(Grain(key));
            if (first != Cluster.Silos[oldSilo])
            {
                seen.Add($"first on {first?.Name}");
                continue;
            }
            Assert.True(LocalReads(first).TryGet(Ns, key, out _));

            await management.ForceActivationCollection(TimeSpan.Zero);
            Assert.False(LocalReads(first).TryGet(Ns, key, out _));

            Assert.True(await newDb.StringSetAsync(key, "new"));
            var second = await Cluster.HostOfAsync(Grain(key));
            if (second != Cluster.Silos[newSilo])
            {
                seen.Add($"then on {second?.Name}");
                continue;
            }
            // The old silo no longer holds the key, so its GET asks the grain on the new one.
            Assert.Equal("new", (string?)await oldDb.StringGetAsync(key));
            Assert.False(LocalReads(first).TryGet(Ns, key, out _));
            return;
        }
        Assert.Fail($"No key of 50 moved between the silos: {string.Join(", ", seen)}");
    }
}
