using Flo.Storage;
using Orleans.TestingHost;

namespace Flo.Security.Tests;

/// <summary>
/// Two silos with TLS on every connection (<c>Cluster:Tls</c>): silo to silo (mutual, each presenting the cluster's
/// certificate), the gateway requiring client certificates of the cluster's authority, HTTPS and RESP over TLS, all from
/// PEM files made for the run.
/// </summary>
public sealed class TlsCluster : IAsyncLifetime
{
    public TestCertificates Certificates { get; } = new();

    public PlatformTestCluster Cluster { get; private set; } = null!;

    public SiloHandle Silo => Cluster.Silos[0];

    public async Task InitializeAsync()
    {
        Cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 2,
            Storage = FloStorageProvider.Memory,
            Configuration = Certificates.SiloTls(requireClientCertificate: true),
        });
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Certificates.Dispose();
    }

    /// <summary>TLS as a client of this cluster: its authority and the client certificate.</summary>
    public FloClientTlsOptions ClientTls => new()
    {
        CaPath = Certificates.CaPath,
        CertificatePath = Certificates.ClientCertificatePath,
        KeyPath = Certificates.ClientKeyPath,
    };
}
