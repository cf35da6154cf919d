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
    public async Task AKeyWhoseGrainDeactivatedIsReadFromWhereverItActivatesNextNotFromTheOldTable()
    {
        var key = $"moved:{Guid.NewGuid():N}";
        Assert.True(await fixture.Client.Kv.PutAsync(key, "old"u8.ToArray()) > 0);
        var host = await Cluster.HostOfAsync(Grain(key));
        Assert.NotNull(host);
        Assert.True(LocalReads(host).TryGet(Ns, key, out _));

        // Deactivated: its silo's table forgets the key, so nothing answers for it until it activates again, wherever
        // placement puts it next (without the withdrawal the old value would stay here and answer this silo's GETs).
        await Cluster.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.All(Cluster.Silos, silo => Assert.False(LocalReads(silo).TryGet(Ns, key, out _)));

        // A write through the client activates the key somewhere; the old host's RESP GET sees the new value either way.
        await fixture.Client.Kv.PutAsync(key, "new"u8.ToArray());
        await using var resp = await RespAsync(host);
        Assert.Equal("new", (string?)await resp.GetDatabase().StringGetAsync(key));
        var now = await Cluster.HostOfAsync(Grain(key));
        Assert.NotNull(now);
        Assert.True(LocalReads(now).TryGet(Ns, key, out var entry));
        Assert.Equal("new", Encoding.UTF8.GetString(entry!.Value));
        Assert.All(Cluster.Silos.Where(s => s != now), silo => Assert.False(LocalReads(silo).TryGet(Ns, key, out _)));
    }
}
