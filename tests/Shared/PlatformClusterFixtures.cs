using Flo.Storage;
using Flo.Testing;

namespace Flo.Tests.Shared;

/// <summary>A platform deployment shared by a test class, with a <see cref="FloClient"/> connected through a real gateway.</summary>
public abstract class PlatformClusterFixture : IAsyncLifetime
{
    /// <summary>The cluster.</summary>
    public PlatformTestCluster Cluster { get; private set; } = null!;

    /// <summary>A client connected to every silo's gateway over TCP.</summary>
    public FloClient Client { get; private set; } = null!;

    protected abstract Task<PlatformClusterOptions> OptionsAsync();

    public async Task InitializeAsync()
    {
        Cluster = await PlatformTestCluster.DeployAsync(await OptionsAsync());
        Client = await Cluster.ConnectAsync();
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
    protected override Task<PlatformClusterOptions> OptionsAsync() => Task.FromResult(new PlatformClusterOptions { Storage = FloStorageProvider.Sqlite });
}

/// <summary>Two silos on the shared in-memory provider.</summary>
public sealed class TwoSiloMemory : PlatformClusterFixture
{
    protected override Task<PlatformClusterOptions> OptionsAsync() => Task.FromResult(new PlatformClusterOptions { Silos = 2 });
}

/// <summary>Three silos on the test PostgreSQL (membership, reminders and state).</summary>
public sealed class ThreeSiloPostgres : PlatformClusterFixture
{
    private readonly PostgresFixture postgres = new();

    protected override async Task<PlatformClusterOptions> OptionsAsync()
    {
        await postgres.InitializeAsync();
        return new PlatformClusterOptions { Silos = 3, Storage = FloStorageProvider.Postgres, ConnectionString = postgres.ConnectionString };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await postgres.DisposeAsync();
    }
}
