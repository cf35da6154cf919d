using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Flo.Testing;

/// <summary>
/// A throwaway certificate authority and certificates made in-process (no openssl), written as PEM files to a temporary
/// directory as a Kubernetes TLS Secret would mount them: the cluster's authority, the silos' certificate (server and
/// client authentication, for localhost and 127.0.0.1), a client certificate, one that has expired, and a certificate of
/// another authority.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>Makes the authorities and certificates and writes them as PEM files.</summary>
    public TestCertificates()
    {
        Directory.CreateDirectory(Root);
        using var ca = NewAuthority("CN=flo-test-ca");
        using var otherCa = NewAuthority("CN=someone-elses-ca");
        CaPath = WriteCertificate("ca.crt", ca);
        OtherCaPath = WriteCertificate("other-ca.crt", otherCa);
        var now = DateTimeOffset.UtcNow;
        (SiloCertificatePath, SiloKeyPath) = Issue("silo", ca, "CN=flo-silo", now.AddDays(-1), now.AddDays(30));
        (ClientCertificatePath, ClientKeyPath) = Issue("client", ca, "CN=flo-client", now.AddDays(-1), now.AddDays(30));
        (ExpiredCertificatePath, ExpiredKeyPath) = Issue("expired", ca, "CN=flo-expired", now.AddDays(-30), now.AddDays(-1));
        (StrangerCertificatePath, StrangerKeyPath) = Issue("stranger", otherCa, "CN=flo-stranger", now.AddDays(-1), now.AddDays(30));
    }

    /// <summary>The temporary directory holding the PEM files (deleted on dispose).</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "flo-tls-" + Guid.NewGuid().ToString("N")[..12]);

    public string CaPath { get; }

    public string OtherCaPath { get; }

    public string SiloCertificatePath { get; }

    public string SiloKeyPath { get; }

    public string ClientCertificatePath { get; }

    public string ClientKeyPath { get; }

    public string ExpiredCertificatePath { get; }

    public string ExpiredKeyPath { get; }

    public string StrangerCertificatePath { get; }

    public string StrangerKeyPath { get; }

    /// <summary>
    /// <c>Cluster:Tls</c> settings for silos with the silo certificate and this authority (for
    /// <see cref="PlatformClusterOptions.Configuration"/>); <paramref name="requireClientCertificate"/> makes the gateway
    /// demand a client certificate (the test cluster's own client then presents the silos' one).
    /// </summary>
    public IReadOnlyDictionary<string, string?> SiloTls(bool requireClientCertificate = false) => new Dictionary<string, string?>
    {
        ["Cluster:Tls:Enabled"] = "true",
        ["Cluster:Tls:CertificatePath"] = SiloCertificatePath,
        ["Cluster:Tls:KeyPath"] = SiloKeyPath,
        ["Cluster:Tls:CaPath"] = CaPath,
        ["Cluster:Tls:RequireClientCertificate"] = requireClientCertificate ? "true" : "false",
    };

    /// <summary>The cluster's authority, for a test's own TLS client (RESP, HTTPS).</summary>
    public X509Certificate2 Authority => X509CertificateLoader.LoadCertificateFromFile(CaPath);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 NewAuthority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-60), now.AddDays(60));
    }

    private (string Certificate, string Key) Issue(string name, X509Certificate2 authority, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        // Silos present their certificate as servers and, to each other, as clients.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(authority, notBefore, notAfter, serial);
        var certificatePath = Path.Combine(Root, name + ".crt");
        var keyPath = Path.Combine(Root, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    private string WriteCertificate(string name, X509Certificate2 certificate)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
