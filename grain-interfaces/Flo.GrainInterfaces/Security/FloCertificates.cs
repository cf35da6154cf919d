using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Flo.Security;

/// <summary>
/// Certificates for TLS, shared by silos (<c>Cluster:Tls</c>) and clients (<c>FloClientOptions.Tls</c>): loaded from PEM
/// files (a certificate and its key, as a Kubernetes TLS Secret holds them: <c>tls.crt</c>, <c>tls.key</c>) or a PFX,
/// and a peer's certificate checked against the cluster's own certificate authority (<c>ca.crt</c>).
/// </summary>
public static class FloCertificates
{
    /// <summary>
    /// Loads a certificate with its private key: a PFX/PKCS#12 file (<c>.pfx</c>, <c>.p12</c>, with
    /// <paramref name="password"/>), or a PEM certificate and a PEM key (<paramref name="keyPath"/>; null: the key is in
    /// the certificate file). Refuses one that has expired or is not yet valid, saying which and when.
    /// </summary>
    /// <param name="certificatePath">A PEM certificate, or a PFX.</param>
    /// <param name="keyPath">The PEM key of a PEM certificate (null: in the certificate file).</param>
    /// <param name="password">The PFX's password or the encrypted PEM key's passphrase (null: none).</param>
    /// <param name="setting">The setting named in errors (<c>Cluster:Tls:CertificatePath</c>).</param>
    public static X509Certificate2 Load(string certificatePath, string? keyPath, string? password, string setting)
    {
        Exists(certificatePath, setting);
        X509Certificate2 certificate;
        try
        {
            var extension = Path.GetExtension(certificatePath);
            if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            }
            else
            {
                if (keyPath is not null)
                {
                    Exists(keyPath, setting.Replace("CertificatePath", "KeyPath", StringComparison.Ordinal));
                }
                certificate = string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
            }
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"{setting}: cannot load the certificate from '{certificatePath}'{(keyPath is null ? "" : $" and key '{keyPath}'")}: {e.Message}", e);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{setting}: the certificate '{certificate.Subject}' in '{certificatePath}' has no private key (set the key file too).");
        }
        CheckValidity(certificate, setting, DateTime.UtcNow);
        return certificate;
    }

    /// <summary>Loads the certificate authorities in a PEM file (one or more certificates).</summary>
    public static X509Certificate2Collection LoadAuthorities(string caPath, string setting)
    {
        Exists(caPath, setting);
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(caPath);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"{setting}: cannot read certificates from '{caPath}': {e.Message}", e);
        }
        return authorities.Count > 0 ? authorities : throw new InvalidOperationException($"{setting}: '{caPath}' holds no PEM certificate.");
    }

    /// <summary>Throws unless <paramref name="certificate"/> is valid at <paramref name="nowUtc"/>, naming the dates.</summary>
    public static void CheckValidity(X509Certificate2 certificate, string setting, DateTime nowUtc)
    {
        if (certificate.NotAfter.ToUniversalTime() < nowUtc)
        {
            throw new InvalidOperationException($"{setting}: the certificate '{certificate.Subject}' expired on {certificate.NotAfter.ToUniversalTime():u}.");
        }
        if (certificate.NotBefore.ToUniversalTime() > nowUtc)
        {
            throw new InvalidOperationException($"{setting}: the certificate '{certificate.Subject}' is not valid before {certificate.NotBefore.ToUniversalTime():u}.");
        }
    }

    /// <summary>
    /// Whether a peer's certificate is acceptable. With <paramref name="authorities"/>: it must chain to one of them
    /// (and be within its dates); host names are not checked, since silos are reached by IP address and the cluster's
    /// own authority is what identifies its members. Without: the system's trust store decides (what
    /// <paramref name="errors"/> says), a name mismatch aside for the same reason.
    /// </summary>
    /// <param name="certificate">The peer's certificate.</param>
    /// <param name="presented">The chain the TLS stack built from what the peer sent (its intermediates are used).</param>
    /// <param name="errors">What the TLS stack found against the system's trust store.</param>
    /// <param name="authorities">The cluster's authorities; null: the system's trust store.</param>
    /// <param name="problem">Why the certificate was refused (chain status), for logs and errors.</param>
    public static bool IsTrusted(X509Certificate2 certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection? authorities, out string? problem)
    {
        if (authorities is null)
        {
            var remaining = errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
            problem = remaining == SslPolicyErrors.None ? null : $"{remaining} for '{certificate.Subject}'";
            return problem is null;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // Intermediates the peer sent along.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (chain.Build(certificate))
        {
            problem = null;
            return true;
        }
        problem = $"'{certificate.Subject}' (valid {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}): "
                  + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return false;
    }

    private static void Exists(string path, string setting)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{setting}: no such file '{Path.GetFullPath(path)}'.");
        }
    }
}
