using Flo.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flo;

/// <summary>
/// The platform's security on an Orleans client built by hand (a service with its own <c>UseOrleansClient</c>, wrapped
/// in <c>new FloClient(grains)</c>); <see cref="FloClient.ConnectAsync"/> and <c>AddFloClient</c> apply them from
/// <see cref="FloClientOptions.Token"/> and <see cref="FloClientOptions.Tls"/>.
/// </summary>
public static class FloClientBuilderExtensions
{
    /// <summary>Sends <paramref name="token"/> with every grain call this client makes (<c>Cluster:Security</c>).</summary>
    public static IClientBuilder UseFloToken(this IClientBuilder client, string token)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(token);
        client.Services.AddSingleton<IOutgoingGrainCallFilter>(new TokenCallFilter(token));
        return client;
    }

    /// <summary>
    /// TLS to the gateways (<c>Cluster:Tls:Enabled</c> silos): the silo's certificate must chain to
    /// <see cref="FloClientTlsOptions.CaPath"/>; the client presents <see cref="FloClientTlsOptions.CertificatePath"/> when set.
    /// Certificates are loaded now: a missing file or an expired certificate throws here.
    /// </summary>
    public static IClientBuilder UseFloTls(this IClientBuilder client, FloClientTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tls);
        tls.Validate();
        var refusals = new TlsRefusals();
        client.Services.TryAddSingleton(refusals);
        ClientTls.Apply(client, tls, refusals);
        return client;
    }
}
