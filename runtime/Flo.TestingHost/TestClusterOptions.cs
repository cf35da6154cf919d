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

    /// <summary>Cluster id. Default: a new one per test cluster, so clusters over one database do not join each other.</summary>
    public string ClusterId { get; set; } = "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Configuration every silo starts from before <see cref="SiloConfiguration"/>: fast membership timings (probes
    /// every 250 ms, so a killed silo is declared dead in about a second), as Orleans' test cluster does.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> FastMembership { get; } = new Dictionary<string, string?>
    {
        ["Cluster:Membership:ProbePeriod"] = "00:00:00.250",
        ["Cluster:Membership:ProbeTimeout"] = "00:00:01",
        ["Cluster:Membership:NumMissedProbesLimit"] = "3",
        ["Cluster:Membership:IAmAlivePeriod"] = "00:00:02",
        ["Cluster:Membership:TableRefreshPeriod"] = "00:00:02",
        ["Cluster:Membership:DeathVoteExpirationTimeout"] = "00:00:30",
        ["Cluster:Membership:MaxJoinAttemptTime"] = "00:00:30",
        ["Cluster:Messaging:ConnectTimeout"] = "00:00:01",
        ["Cluster:Reminders:PollPeriod"] = "00:00:00.100",
        ["Cluster:Reminders:MinimumPeriod"] = "00:00:00.100",
    };

    /// <summary>Extra configuration for every silo (keys like <c>Cluster:Messaging:ResponseTimeout</c>).</summary>
    public Dictionary<string, string?> SiloConfiguration { get; } = [];

    /// <summary>Applied to every silo's <see cref="Runtime.Hosting.SiloBuilder"/> (features add protocols and endpoints here).</summary>
    public List<Action<Runtime.Hosting.SiloBuilder>> SiloBuilders { get; } = [];

    /// <summary>Response timeout of the test client. Default 30 s.</summary>
    public TimeSpan ClientResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
