using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Cluster;

/// <summary>Three silos over one PostgreSQL database, shared by tests that do not change membership.</summary>
public sealed class ThreeSiloClusterFixture : IAsyncLifetime
{
    private readonly PostgresFixture postgres = new();

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        Cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 3);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await postgres.DisposeAsync();
    }
}

/// <summary>Builds the multi-silo clusters of the cluster tests.</summary>
internal static class ClusterTestSupport
{
    public static TestClusterOptions Options(string connectionString, int silos)
    {
        var options = new TestClusterOptions
        {
            InitialSilosCount = silos,
            Storage = StorageProviderKind.Postgres,
            ConnectionString = connectionString,
            ClientResponseTimeout = TimeSpan.FromSeconds(15),
        };
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        return options;
    }

    public static async Task<TestCluster> DeployAsync(string connectionString, int silos)
    {
        var cluster = await TestCluster.DeployAsync(Options(connectionString, silos));
        await cluster.WaitForMembershipToSettleAsync();
        return cluster;
    }

    /// <summary>Which silo owns a counter grain, by the first running silo's view.</summary>
    public static string OwnerName(TestCluster cluster, string key)
    {
        var view = cluster.Silos.First(s => s.IsRunning).Membership.CurrentView;
        var owner = view.OwnerOf(new GrainId("counter", key));
        return view.Find(owner!)!.SiloName;
    }
}
