using Flo.Storage;
using Flo.Testing;
using Flo.Tests.Shared;

namespace Flo.Dataflow.Tests.Infrastructure;

/// <summary>What the dataflow test silos are configured with: this assembly's <see cref="SiloNodeTypes"/> run in the silo.</summary>
public static class SiloNodeClusters
{
    /// <summary>The silo executable's setting, pointing at this test assembly (already loaded: the silos are in-process).</summary>
    public static IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>
    {
        ["Cluster:Dataflow:NodeAssemblies:0"] = typeof(SiloNodeTypes).Assembly.Location,
    };
}

/// <summary>One <see cref="TwoSiloMemoryWithNodes"/> shared by the test classes that need silo-run node types.</summary>
[CollectionDefinition(Name)]
public sealed class SiloNodesCluster : ICollectionFixture<TwoSiloMemoryWithNodes>
{
    public const string Name = "dataflow-silo-nodes-cluster";
}

/// <summary>Two silos (memory) that run <see cref="SiloNodeTypes"/> themselves.</summary>
public sealed class TwoSiloMemoryWithNodes : PlatformClusterFixture
{
    protected override Task<PlatformClusterOptions> OptionsAsync()
        => Task.FromResult(new PlatformClusterOptions { Silos = 2, Configuration = SiloNodeClusters.Configuration });
}

/// <summary>Three silos on the test PostgreSQL that run <see cref="SiloNodeTypes"/> themselves (node types not among them go to workers as usual).</summary>
public sealed class ThreeSiloPostgresWithNodes : PlatformClusterFixture
{
    private readonly PostgresFixture postgres = new();

    protected override async Task<PlatformClusterOptions> OptionsAsync()
    {
        await postgres.InitializeAsync();
        return new PlatformClusterOptions { Silos = 3, Storage = FloStorageProvider.Postgres, ConnectionString = postgres.ConnectionString, Configuration = SiloNodeClusters.Configuration };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await postgres.DisposeAsync();
    }
}

/// <summary>One silo (memory) that runs <see cref="SiloNodeTypes"/> and deletes finished runs one second after they finish.</summary>
public sealed class OneSiloWithRetention : PlatformClusterFixture
{
    protected override Task<PlatformClusterOptions> OptionsAsync()
        => Task.FromResult(new PlatformClusterOptions
        {
            Configuration = new Dictionary<string, string?>(SiloNodeClusters.Configuration) { ["Cluster:Dataflow:FinishedRunRetention"] = "00:00:01" },
        });
}
