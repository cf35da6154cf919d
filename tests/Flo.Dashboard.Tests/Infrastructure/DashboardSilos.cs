using Flo.Tests.Shared;

namespace Flo.Dashboard.Tests;

/// <summary>One silo on the in-memory provider: the dashboard's data source.</summary>
public sealed class DashboardSilo : PlatformClusterFixture
{
    /// <summary>The silo's HTTP address (<c>http://127.0.0.1:port</c>).</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{PlatformTestCluster.Listeners(Cluster.Silos[0]).HttpPort}");

    protected override Task<PlatformClusterOptions> OptionsAsync() => Task.FromResult(new PlatformClusterOptions());
}

/// <summary>
/// One silo that requires a token (<c>Cluster:HttpToken</c>: read-write on every namespace, on HTTP, the gateway and
/// RESP alike); the fixture's client sends it too. Two more tokens: one reads and writes namespace <c>orders</c> only,
/// the other only reads it.
/// </summary>
public sealed class TokenSilo : PlatformClusterFixture
{
    /// <summary>The silo's token.</summary>
    public string Token { get; } = "tok-" + Guid.NewGuid().ToString("N");

    /// <summary>A token granting namespace <c>orders</c> (read-write) and nothing else.</summary>
    public string OrdersToken { get; } = "orders-" + Guid.NewGuid().ToString("N");

    /// <summary>A token that reads namespace <c>orders</c> and nothing else.</summary>
    public string OrdersReaderToken { get; } = "orders-reader-" + Guid.NewGuid().ToString("N");

    /// <summary>The silo's HTTP address (<c>http://127.0.0.1:port</c>).</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{PlatformTestCluster.Listeners(Cluster.Silos[0]).HttpPort}");

    protected override Task<PlatformClusterOptions> OptionsAsync() => Task.FromResult(new PlatformClusterOptions
    {
        Configuration = new Dictionary<string, string?>
        {
            ["Cluster:HttpToken"] = Token,
            ["Cluster:Security:Tokens:0:Name"] = "orders",
            ["Cluster:Security:Tokens:0:Token"] = OrdersToken,
            ["Cluster:Security:Tokens:0:Namespaces:0"] = "orders",
            ["Cluster:Security:Tokens:0:Access"] = "ReadWrite",
            ["Cluster:Security:Tokens:1:Name"] = "orders-reader",
            ["Cluster:Security:Tokens:1:Token"] = OrdersReaderToken,
            ["Cluster:Security:Tokens:1:Namespaces:0"] = "orders",
            ["Cluster:Security:Tokens:1:Access"] = "Read",
        },
        ClientToken = Token,
    });
}

/// <summary>
/// One silo with TLS (<c>Cluster:Tls</c>, from PEM files made for the run): HTTPS on its HTTP port, so the dashboard is
/// served over HTTPS only. The fixture's client connects with the cluster's authority.
/// </summary>
public sealed class TlsSilo : PlatformClusterFixture
{
    /// <summary>The authority and the silo's certificate.</summary>
    public TestCertificates Certificates { get; } = new();

    /// <summary>The silo's HTTPS address (<c>https://localhost:port</c>: the certificate names localhost).</summary>
    public Uri BaseAddress => new($"https://localhost:{PlatformTestCluster.Listeners(Cluster.Silos[0]).HttpPort}");

    /// <summary>The same port as plain HTTP.</summary>
    public Uri PlainAddress => new($"http://127.0.0.1:{PlatformTestCluster.Listeners(Cluster.Silos[0]).HttpPort}");

    protected override Task<PlatformClusterOptions> OptionsAsync() => Task.FromResult(new PlatformClusterOptions { Configuration = Certificates.SiloTls() });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Certificates.Dispose();
    }
}
