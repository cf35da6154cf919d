using Orleans.Connections.Security;
using Orleans.Hosting;

namespace Flo.Security;

/// <summary>
/// TLS on the client's gateway connections (<c>Microsoft.Orleans.Connections.Security</c>) from
/// <see cref="FloClientTlsOptions"/>: the silo must present a certificate chaining to <see cref="FloClientTlsOptions.CaPath"/>
/// (or trusted by the system); the client presents its own when one is configured. Why the last certificate was
/// refused is kept in <see cref="TlsRefusals"/>, so a failed connect can say it.
/// </summary>
internal static class ClientTls
{
    public static void Apply(IClientBuilder client, FloClientTlsOptions tls, TlsRefusals refusals)
    {
        var authorities = tls.CaPath is null ? null : FloCertificates.LoadAuthorities(tls.CaPath, "FloClientOptions.Tls.CaPath");
        var certificate = tls.CertificatePath is null ? null : FloCertificates.Load(tls.CertificatePath, tls.KeyPath, tls.CertificatePassword, "FloClientOptions.Tls.CertificatePath");
        client.UseTls(o =>
        {
            o.LocalCertificate = certificate;
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.ClientCertificateMode = certificate is null ? RemoteCertificateMode.NoCertificate : RemoteCertificateMode.AllowCertificate;
            o.HandshakeTimeout = tls.HandshakeTimeout;
            o.RemoteCertificateValidation = (remote, chain, errors) =>
            {
                if (FloCertificates.IsTrusted(remote, chain, errors, authorities, out var problem))
                {
                    return true;
                }
                refusals.Last = problem;
                return false;
            };
        });
    }
}
