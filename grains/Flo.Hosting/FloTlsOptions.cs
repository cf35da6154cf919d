namespace Flo.Hosting;

/// <summary>
/// TLS (section <c>Cluster:Tls</c>; <c>Microsoft.Orleans.Connections.Security</c> for Orleans' connections, Kestrel's
/// HTTPS for HTTP and RESP), all with one certificate: PEM files (a Kubernetes TLS Secret's <c>tls.crt</c> and
/// <c>tls.key</c>) or a PFX. Off by default. See <c>docs/security.md</c>.
/// </summary>
public sealed class FloTlsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = FloSiloOptions.Section + ":Tls";

    /// <summary>
    /// Turns TLS on: the gateway (clients need <c>FloClientOptions.Tls</c>), silo-to-silo traffic (every silo must have it
    /// on, with certificates of one authority), and, unless <see cref="Http"/> or <see cref="Resp"/> turn them off, HTTPS
    /// on the HTTP port and TLS on the RESP port. Default false.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The silo's certificate: a PEM file (its chain may follow it) with <see cref="KeyPath"/>, or a PFX/PKCS#12 file
    /// (<c>.pfx</c>, <c>.p12</c>). Silos also present it to each other as clients, so it needs both the server and the client
    /// authentication usages (or none). Required when enabled.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM certificate (null: the key is in the certificate file).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX's password, or the passphrase of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// PEM certificate(s) of the authority the cluster's certificates chain to: silos accept only peers (other silos, and
    /// clients that present a certificate) whose certificate chains to it, whatever host name it names. Null: the
    /// system's trust store (host names still not checked: silos are reached by IP address).
    /// </summary>
    public string? CaPath { get; set; }

    /// <summary>
    /// Whether clients must present a certificate chaining to <see cref="CaPath"/> to connect to the gateway (mutual TLS:
    /// only holders of such a certificate may speak Orleans' protocol to the silo at all). Silos always require one from
    /// each other. Default false.
    /// </summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>HTTPS on the HTTP port when TLS is enabled (off: plain HTTP behind a proxy that ends TLS). Default true.</summary>
    public bool Http { get; set; } = true;

    /// <summary>TLS on the RESP port when TLS is enabled (<c>redis-cli --tls</c>). Default true.</summary>
    public bool Resp { get; set; } = true;

    /// <summary>How long a TLS handshake may take on Orleans' connections. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
