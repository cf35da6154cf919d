using Flo.Testing;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Flo.Bench;

/// <summary>
/// Silos in this process for the benches: the tests' <see cref="PlatformTestCluster"/> (the platform hosted as the silo
/// executable hosts it, on Orleans' classic TestCluster over TCP) with the platform's production membership timings and
/// quiet logs.
/// </summary>
public static class BenchCluster
{
    /// <summary>Starts the silos.</summary>
    public static Task<PlatformTestCluster> DeployAsync(PlatformClusterOptions options)
    {
        var configuration = new Dictionary<string, string?>(options.Configuration) { ["Logging:LogLevel:Default"] = "Warning" };
        return PlatformTestCluster.DeployAsync(options with { FastMembership = false, Configuration = configuration });
    }
}

/// <summary>
/// Adds Orleans' stock ADO.NET grain storage as <see cref="StateBench.AdoNetStorageName"/> beside the platform's, on the
/// silos' PostgreSQL (its tables come with the platform's schema).
/// </summary>
public sealed class AdoNetStorageConfigurator : ISiloConfigurator
{
    /// <inheritdoc/>
    public void Configure(ISiloBuilder siloBuilder)
        => siloBuilder.AddAdoNetGrainStorage(StateBench.AdoNetStorageName, o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = siloBuilder.Configuration["Cluster:Storage:ConnectionString"];
        });
}
