using System.Collections.Concurrent;
using System.Diagnostics;
using Flo.Client;
using Flo.Diagnostics;
using Flo.TestGrains.Runtime;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Cluster;

/// <summary>Placement and routing on a stable three-silo cluster over PostgreSQL.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterRoutingTests(ThreeSiloClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ThreeSiloClusterFixture>
{
    [Fact]
    public async Task TheSameGrainThroughEveryGatewayIsOneActivationWithOneState()
    {
        var cluster = fixture.Cluster;
        var clients = new List<ClusterClient>();
        try
        {
            foreach (var silo in cluster.Silos)
            {
                clients.Add(await ClusterClient.ConnectAsync(new ClusterClientOptions { Gateways = [silo.GatewayEndpoint] }));
            }
            Assert.Equal(cluster.Silos.Select(s => s.Name), clients.Select(c => c.ConnectedSilo));
            var keys = Enumerable.Range(0, 30).Select(i => $"one-{i}-{Guid.NewGuid():N}").ToArray();
            foreach (var key in keys)
            {
                var values = new List<int>();
                foreach (var client in clients)
                {
                    values.Add(await client.GetGrain<ICounterGrain>(key).Add(1));
                }
                Assert.Equal([1, 2, 3], values);
                var activations = await Task.WhenAll(clients.Select(c => c.GetGrain<ICounterGrain>(key).GetActivationId()));
                Assert.Single(activations.Distinct());
                var silos = await Task.WhenAll(clients.Select(c => c.GetGrain<ICounterGrain>(key).GetSilo()));
                Assert.All(silos, s => Assert.Equal(ClusterTestSupport.OwnerName(cluster, key), s));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task GrainIdsSpreadEvenlyOverThreeSilosAndEverySiloAgreesOnTheOwner()
    {
        var views = fixture.Cluster.Silos.Select(s => s.Membership.CurrentView).ToArray();
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var id = new GrainId("counter", "spread-" + i);
            var owner = views[0].OwnerOf(id)!;
            Assert.All(views, v => Assert.Equal(owner, v.OwnerOf(id)));
            var name = views[0].Find(owner)!.SiloName;
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        output.WriteLine("spread of 100,000 grain ids: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 30_000, 36_667));

        // And grains really activate where the ring says.
        var keys = Enumerable.Range(0, 90).Select(i => $"placed-{i}-{Guid.NewGuid():N}").ToArray();
        var placed = await Task.WhenAll(keys.Select(k => fixture.Cluster.GrainFactory.GetGrain<ICounterGrain>(k).GetSilo()));
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(ClusterTestSupport.OwnerName(fixture.Cluster, keys[i]), placed[i]);
        }
        Assert.Equal(3, placed.Distinct().Count());
    }

    [Fact]
    public async Task ATraceStartedInAClientShowsSpansOnTwoSilosWithOneTraceId()
    {
        var cluster = fixture.Cluster;
        // An echo grain and a counter grain that live on different silos.
        string echoKey, counterKey;
        var n = 0;
        do
        {
            echoKey = $"trace-echo-{n}-{Guid.NewGuid():N}";
            counterKey = $"trace-counter-{n++}-{Guid.NewGuid():N}";
        }
        while (OwnerOf(cluster, "echo", echoKey) == OwnerOf(cluster, "counter", counterKey));

        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is FloDiagnostics.ClientSourceName or FloDiagnostics.RuntimeSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(counterKey);
        Assert.Equal(5, await cluster.GrainFactory.GetGrain<IEchoGrain>(echoKey).AddVia(counter, 5));

        var client = Assert.Single(stopped, a => a.Source.Name == FloDiagnostics.ClientSourceName && (string?)a.GetTagItem("flo.grain.key") == echoKey);
        var echoSpan = Assert.Single(stopped, a => a.Kind == ActivityKind.Server && (string?)a.GetTagItem("flo.grain.id") == $"echo/{echoKey}");
        var counterSpan = Assert.Single(stopped, a => a.Kind == ActivityKind.Server && (string?)a.GetTagItem("flo.grain.id") == $"counter/{counterKey}");
        Assert.Equal(client.TraceId, echoSpan.TraceId);
        Assert.Equal(client.TraceId, counterSpan.TraceId);
        Assert.NotEqual(echoSpan.GetTagItem("flo.silo"), counterSpan.GetTagItem("flo.silo"));
        Assert.Equal(OwnerOf(cluster, "counter", counterKey), counterSpan.GetTagItem("flo.silo"));
    }

    [Fact]
    public async Task SiloToSiloCallsFromInsideASiloReachTheOwner()
    {
        var cluster = fixture.Cluster;
        var keys = Enumerable.Range(0, 30).Select(i => $"inside-{i}-{Guid.NewGuid():N}").ToArray();
        for (var i = 0; i < cluster.Silos.Count; i++)
        {
            var results = await Task.WhenAll(keys.Select(k => cluster.Silos[i].GrainFactory.GetGrain<ICounterGrain>(k).Add(1)));
            Assert.All(results, r => Assert.Equal(i + 1, r));
        }
        var where = await Task.WhenAll(keys.Select(k => cluster.GrainFactory.GetGrain<ICounterGrain>(k).GetSilo()));
        Assert.Equal(keys.Select(k => ClusterTestSupport.OwnerName(cluster, k)), where);
    }

    private static string OwnerOf(TestingHost.TestCluster cluster, string grainType, string key)
    {
        var view = cluster.Silos[0].Membership.CurrentView;
        return view.Find(view.OwnerOf(new GrainId(grainType, key))!)!.SiloName;
    }
}
