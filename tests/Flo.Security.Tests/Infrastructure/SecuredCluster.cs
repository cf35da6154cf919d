using Flo.Security;
using Flo.Storage;
using Orleans.TestingHost;

namespace Flo.Security.Tests;

/// <summary>
/// One silo that requires tokens (<c>Cluster:Security:Tokens</c>): an operator's read-write token on <c>*</c> (which the
/// test cluster's own client uses), a read-write and a read-only token on namespace <c>orders</c> (the read-only one given
/// as its SHA-256 hash), a read-write token on <c>billing</c>, and a read-only one on <c>*</c>.
/// </summary>
public sealed class SecuredCluster : IAsyncLifetime
{
    public const string Orders = "orders";
    public const string Billing = "billing";

    public string Admin { get; } = NewToken("admin");

    public string OrdersWriter { get; } = NewToken("orders-rw");

    public string OrdersReader { get; } = NewToken("orders-r");

    public string BillingWriter { get; } = NewToken("billing-rw");

    public string Auditor { get; } = NewToken("audit");

    public PlatformTestCluster Cluster { get; private set; } = null!;

    public SiloHandle Silo => Cluster.Silos[0];

    public int HttpPort => PlatformTestCluster.Listeners(Silo).HttpPort;

    public int RespPort => PlatformTestCluster.Listeners(Silo).RespPort;

    public async Task InitializeAsync()
    {
        var configuration = new Dictionary<string, string?>();
        void Token(int i, string name, string? token, string? hash, string access, params string[] namespaces)
        {
            var prefix = $"Cluster:Security:Tokens:{i}:";
            configuration[prefix + "Name"] = name;
            configuration[prefix + "Token"] = token;
            configuration[prefix + "TokenSha256"] = hash;
            configuration[prefix + "Access"] = access;
            for (var n = 0; n < namespaces.Length; n++)
            {
                configuration[prefix + "Namespaces:" + n] = namespaces[n];
            }
        }
        Token(0, "admin", Admin, null, "ReadWrite", "*");
        Token(1, "orders-writer", OrdersWriter, null, "ReadWrite", Orders);
        Token(2, "orders-reader", null, Convert.ToHexStringLower(FloAccessControl.Hash(OrdersReader)), "Read", Orders);
        Token(3, "billing-writer", BillingWriter, null, "ReadWrite", Billing);
        Token(4, "auditor", Auditor, null, "Read", "*");
        Cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Storage = FloStorageProvider.Memory,
            Configuration = configuration,
            ClientToken = Admin,
        });
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A client of this cluster sending <paramref name="token"/> (none when null), working in <paramref name="ns"/>.</summary>
    public Task<FloClient> ConnectAsync(string? token, string ns = "default")
        => Cluster.ConnectAsync(options: PlatformTestCluster.DefaultClientOptions with { Token = token, Namespace = ns });

    private static string NewToken(string what) => $"{what}-{Guid.NewGuid():N}";
}
