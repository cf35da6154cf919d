using Flo.Tests.Shared;

namespace Flo.Dashboard.Tests;

/// <summary>One silo on the in-memory provider: the dashboard's data source.</summary>
public sealed class DashboardSilo : PlatformClusterFixture
{
    /// <summary>The silo's HTTP address (<c>http://127.0.0.1:port</c>).</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{PlatformTestCluster.Listeners(Cluster.Silos[0]).HttpPort}");

    protected override Task<PlatformClusterOptions> OptionsAsync() => Task.FromResult(new PlatformClusterOptions());
}

/// <summary>One silo whose HTTP port requires a token (<c>Cluster:HttpToken</c>).</summary>
public sealed class TokenSilo : PlatformClusterFixture
{
    /// <summary>The silo's token.</summary>
    public string Token { get; } = "tok-" + Guid.NewGuid().ToString("N");

    /// <summary>The silo's HTTP address (<c>http://127.0.0.1:port</c>).</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{PlatformTestCluster.Listeners(Cluster.Silos[0]).HttpPort}");

    protected override Task<PlatformClusterOptions> OptionsAsync() => Task.FromResult(new PlatformClusterOptions
    {
        Configuration = new Dictionary<string, string?> { ["Cluster:HttpToken"] = Token },
    });
}
