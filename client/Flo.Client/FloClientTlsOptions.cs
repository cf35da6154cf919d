namespace Flo;

/// <summary>
/// TLS to the gateways (<see cref="FloClientOptions.Tls"/>), for silos run with <c>Cluster:Tls:Enabled</c>. Immutable;
/// use <c>with</c>. See <c>docs/security.md</c>.
/// </summary>
public sealed record FloClientTlsOptions
{
    /// <summary>
    /// PEM certificate(s) of the authority the silos' certificates chain to (a Kubernetes TLS Secret's <c>ca.crt</c>):
    /// the client accepts a silo only if its certificate chains to it, whatever host name it names (silos are reached by
    /// IP address). Null: the system's trust store decides (host names still not checked).
    /// </summary>
    public string? CaPath { get; init; }

    /// <summary>
    /// The client's own certificate, for silos that require one (<c>Cluster:Tls:RequireClientCertificate</c>): a PEM file
    /// with <see cref="KeyPath"/>, or a PFX (<c>.pfx</c>, <c>.p12</c>). It must chain to the silos' authority and allow
    /// client authentication. Null: none is presented.
    /// </summary>
    public string? CertificatePath { get; init; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/> (null: in the certificate file).</summary>
    public string? KeyPath { get; init; }

    /// <summary>The PFX's password, or the passphrase of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>How long the TLS handshake with a gateway may take. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "The TLS handshake timeout must be positive.");
        }
        if (KeyPath is not null && CertificatePath is null)
        {
            throw new ArgumentException("Tls.KeyPath is set without Tls.CertificatePath.", nameof(KeyPath));
        }
    }
}
