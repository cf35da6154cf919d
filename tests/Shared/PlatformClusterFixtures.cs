using Flo.Endpoints;
using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestingHost;

namespace Flo.Tests.Shared;

/// <summary>A platform deployment (every feature: AddFloPlatform) to test against, and a <see cref="FloClient"/> connected to it.</summary>
public abstract class PlatformClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public FloClient Client { get; private set; } = null!;

    protected abstract Task<TestClusterOptions> OptionsAsync();

    public async Task InitializeAsync()
    {
        var options = await OptionsAsync();
        options.SiloBuilders.Add(silo => silo.AddFloPlatform());
        Cluster = await TestCluster.DeployAsync(options);
        await Cluster.WaitForMembershipToSettleAsync();
        Client = await FloClient.ConnectAsync(string.Join(",", Cluster.Silos.Select(s => s.GatewayEndpoint)));
    }

    public virtual async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>One silo on SQLite: the embedded default.</summary>
public sealed class SingleSiloSqlite : PlatformClusterFixture
{
    protected override Task<TestClusterOptions> OptionsAsync() => Task.FromResult(new TestClusterOptions { Storage = StorageProviderKind.Sqlite });
}

/// <summary>Two silos on the shared in-memory provider (storage that completes synchronously).</summary>
public sealed class TwoSiloMemory : PlatformClusterFixture
{
    protected override Task<TestClusterOptions> OptionsAsync() => Task.FromResult(new TestClusterOptions { InitialSilosCount = 2 });
}

/// <summary>Three silos on the test PostgreSQL.</summary>
public sealed class ThreeSiloPostgres : PlatformClusterFixture
{
    private readonly PostgresFixture postgres = new();

    protected override async Task<TestClusterOptions> OptionsAsync()
    {
        await postgres.InitializeAsync();
        return new TestClusterOptions { InitialSilosCount = 3, Storage = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await postgres.DisposeAsync();
    }
}
