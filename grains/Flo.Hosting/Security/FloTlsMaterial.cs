using System.Security.Cryptography.X509Certificates;
using Flo.Security;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;

namespace Flo.Hosting.Security;

/// <summary>
/// The silo's certificate and the authorities its peers must chain to, loaded once from <see cref="FloTlsOptions"/>
/// when first needed (when the host starts), and the TLS settings of Orleans' connections made from them.
/// </summary>
internal sealed partial class FloTlsMaterial(FloTlsOptions options, ILogger<FloTlsMaterial> logger)
{
    private readonly Lazy<(X509Certificate2 Certificate, X509Certificate2Collection? Authorities)> loaded = new(() => Load(options));

    public FloTlsOptions Options => options;

    /// <summary>The silo's certificate (with its private key).</summary>
    public X509Certificate2 Certificate => loaded.Value.Certificate;

    /// <summary>The authorities of <see cref="FloTlsOptions.CaPath"/>; null: the system's trust store.</summary>
    public X509Certificate2Collection? Authorities => loaded.Value.Authorities;

    /// <summary>Loads and checks the certificate (expired, no key, not chaining to the configured authority).</summary>
    internal static (X509Certificate2, X509Certificate2Collection?) Load(FloTlsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            throw new InvalidOperationException($"{FloTlsOptions.Section}:CertificatePath is required when {FloTlsOptions.Section}:Enabled is true.");
        }
        var certificate = FloCertificates.Load(options.CertificatePath, string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath,
            options.CertificatePassword, $"{FloTlsOptions.Section}:CertificatePath");
        var authorities = string.IsNullOrWhiteSpace(options.CaPath) ? null : FloCertificates.LoadAuthorities(options.CaPath, $"{FloTlsOptions.Section}:CaPath");
        if (authorities is not null && !FloCertificates.IsTrusted(certificate, null, default, authorities, out var problem))
        {
            // Other silos would refuse it: say so now rather than as failed connections later.
            throw new InvalidOperationException($"{FloTlsOptions.Section}: the silo's certificate does not chain to {FloTlsOptions.Section}:CaPath: {problem}");
        }
        if (options.RequireClientCertificate && authorities is null)
        {
            throw new InvalidOperationException($"{FloTlsOptions.Section}:RequireClientCertificate needs {FloTlsOptions.Section}:CaPath (the authority clients' certificates must chain to).");
        }
        return (certificate, authorities);
    }

    /// <summary>
    /// TLS settings for one kind of Orleans connection: <paramref name="requirePeerCertificate"/> for silo-to-silo (and
    /// the gateway with <see cref="FloTlsOptions.RequireClientCertificate"/>). The silo presents its certificate both as a
    /// server and, to other silos, as a client.
    /// </summary>
    public TlsOptions OrleansOptions(bool requirePeerCertificate, string connection) => new()
    {
        LocalCertificate = Certificate,
        RemoteCertificateMode = requirePeerCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate,
        ClientCertificateMode = RemoteCertificateMode.AllowCertificate,
        HandshakeTimeout = options.HandshakeTimeout,
        RemoteCertificateValidation = (certificate, chain, errors) =>
        {
            if (FloCertificates.IsTrusted(certificate, chain, errors, Authorities, out var problem))
            {
                return true;
            }
            LogRefused(logger, connection, problem ?? "");
            return false;
        },
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS: refused the certificate of a {Connection} peer: {Problem}")]
    private static partial void LogRefused(ILogger logger, string connection, string problem);
}
