using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Flo.Hosting.Security;

/// <summary>
/// Composes TLS from <see cref="FloTlsOptions"/>: Orleans' gateway and silo-to-silo connections
/// (<c>Microsoft.Orleans.Connections.Security</c>) and Kestrel's HTTP and RESP listeners, all with the silo's one certificate.
/// </summary>
/// <remarks>
/// Orleans' <c>UseTls</c> applies one <c>TlsOptions</c> to the gateway and the silo port alike; the same middleware is
/// configured here per connection kind instead, so silos always require each other's certificate (mutual TLS: only a
/// holder of the cluster's certificate joins it) while the gateway requires one from clients only with
/// <see cref="FloTlsOptions.RequireClientCertificate"/>.
/// </remarks>
public static class FloTls
{
    /// <summary>Whether <c>Cluster:Tls:Enabled</c> is set.</summary>
    public static bool IsEnabled(IConfiguration configuration) => Read(configuration).Enabled;

    /// <summary>TLS on the gateway and between silos when <c>Cluster:Tls:Enabled</c>; nothing otherwise.</summary>
    public static ISiloBuilder UseFloTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (!IsEnabled(configuration))
        {
            return silo;
        }
        AddTlsMaterial(silo.Services, configuration);
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<FloTlsMaterial>((connections, tls) =>
        {
            var silos = tls.OrleansOptions(requirePeerCertificate: true, "silo");
            var clients = tls.OrleansOptions(tls.Options.RequireClientCertificate, "gateway client");
            connections.ConfigureSiloInboundConnection(builder => builder.UseServerTls(silos));
            connections.ConfigureSiloOutboundConnection(builder => builder.UseClientTls(silos));
            connections.ConfigureGatewayInboundConnection(builder => builder.UseServerTls(clients));
        });
        return silo;
    }

    /// <summary>Registers the TLS options (validated at start) and the certificate they name; idempotent.</summary>
    internal static void AddTlsMaterial(IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ImplementationType == typeof(FloTlsOptionsValidator)))
        {
            return;
        }
        services.AddOptions<FloTlsOptions>().Bind(configuration.GetSection(FloTlsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FloTlsOptions>, FloTlsOptionsValidator>();
        services.TryAddSingleton(sp => new FloTlsMaterial(sp.GetRequiredService<IOptions<FloTlsOptions>>().Value, sp.GetRequiredService<ILogger<FloTlsMaterial>>()));
    }

    /// <summary>HTTPS (or TLS under RESP) on a Kestrel listener with the silo's certificate; clients present none (tokens say who they are).</summary>
    internal static ListenOptions UseFloHttps(this ListenOptions listen, FloTlsMaterial tls)
        => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = tls.Certificate,
            ClientCertificateMode = ClientCertificateMode.NoCertificate,
            HandshakeTimeout = tls.Options.HandshakeTimeout,
        });

    internal static FloTlsOptions Read(IConfiguration configuration)
        => configuration.GetSection(FloTlsOptions.Section).Get<FloTlsOptions>() ?? new FloTlsOptions();
}
