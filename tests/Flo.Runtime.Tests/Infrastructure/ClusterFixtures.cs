using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Infrastructure;

/// <summary>One silo with memory storage, short grain-to-grain timeouts (so deadlocks show quickly) and a 1 MiB frame limit.</summary>
public sealed class SingleSiloFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new TestClusterOptions { ClientResponseTimeout = TimeSpan.FromSeconds(10) };
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        options.SiloConfiguration["Cluster:Messaging:ResponseTimeout"] = "00:00:03";
        options.SiloConfiguration["Cluster:Messaging:MaxMessageSize"] = (1024 * 1024).ToString();
        Cluster = await TestCluster.DeployAsync(options);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>One silo that collects activations idle for one second.</summary>
public sealed class FastCollectionFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        options.SiloConfiguration["Cluster:GrainCollection:CollectionAge"] = "00:00:01";
        options.SiloConfiguration["Cluster:GrainCollection:CollectionQuantum"] = "00:00:00.200";
        Cluster = await TestCluster.DeployAsync(options);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
