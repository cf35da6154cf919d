using System.Reflection;
using Flo.Runtime.Storage;

namespace Flo.TestingHost;

/// <summary>What a <see cref="TestCluster"/> deploys.</summary>
public sealed class TestClusterOptions
{
    /// <summary>Number of silos. Default 1.</summary>
    public int InitialSilosCount { get; set; } = 1;

    /// <summary>Assemblies whose grains the silos host.</summary>
    public List<Assembly> GrainAssemblies { get; } = [];

    /// <summary>Storage provider. Default memory (one store shared by all silos of the cluster).</summary>
    public StorageProviderKind Storage { get; set; } = StorageProviderKind.Memory;

    /// <summary>PostgreSQL connection string, for <see cref="StorageProviderKind.Postgres"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Data directory for SQLite. Default: a new temporary directory.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Extra configuration for every silo (keys like <c>Cluster:Messaging:ResponseTimeout</c>).</summary>
    public Dictionary<string, string?> SiloConfiguration { get; } = [];

    /// <summary>Response timeout of the test client. Default 30 s.</summary>
    public TimeSpan ClientResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
