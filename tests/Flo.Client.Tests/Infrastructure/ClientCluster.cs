using Flo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Flo.Client.Tests.Infrastructure;

/// <summary>
/// Silos for the client tests: Orleans' classic <see cref="TestCluster"/> over TCP (clients connect to real gateway
/// ports), in-memory grain storage (default and the platform's <c>flo</c>), the platform's grains, the sample's grains
/// and the test grains, and failure detection fast enough that a killed silo is declared dead within seconds.
/// </summary>
public abstract class ClientCluster : IAsyncLifetime
{
    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>How many silos to start (the first is the primary, which hosts the development membership table).</summary>
    protected abstract short SiloCount { get; }

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(SiloCount);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.InitializeClientOnDeploy = false;
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The gateway of <paramref name="silo"/> as <c>host:port</c>.</summary>
    public static string Gateway(SiloHandle silo) => $"127.0.0.1:{silo.GatewayAddress!.Endpoint.Port}";

    /// <summary>Client options naming this cluster.</summary>
    public FloClientOptions Options(TimeSpan responseTimeout, TimeSpan? deadline = null) => FloClientOptions.Default with
    {
        ClusterId = Cluster.Options.ClusterId,
        ServiceId = Cluster.Options.ServiceId,
        ResponseTimeout = responseTimeout,
        Retry = FloRetryOptions.Default with { Deadline = deadline },
        // These tests pin a client to the gateways they name (what happens when exactly those die).
        LearnGateways = false,
    };

    /// <summary>A client connected through the gateways of <paramref name="silos"/> only.</summary>
    public Task<FloClient> ConnectAsync(IEnumerable<SiloHandle> silos, FloClientOptions options)
        => FloClient.ConnectAsync(string.Join(",", silos.Select(Gateway)), options).WaitAsync(TimeSpan.FromSeconds(30));

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddMemoryGrainStorageAsDefault();
            // The platform's provider in memory: KV keys and queue partitions keep records beside their state.
            silo.AddFloGrainStorage("flo", o => o.Provider = Flo.Storage.FloStorageProvider.Memory);
            silo.Services.TryAddSingleton(TimeProvider.System);
            silo.AddFloGrainServices();
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 1;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
        }
    }
}

/// <summary>Three silos: a primary and two secondaries whose gateways the retry tests use.</summary>
public sealed class ThreeSiloCluster : ClientCluster
{
    protected override short SiloCount => 3;
}

/// <summary>Two silos: a primary and one secondary.</summary>
public sealed class TwoSiloCluster : ClientCluster
{
    protected override short SiloCount => 2;
}
