using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Flo;

/// <summary>
/// The Orleans client settings every <see cref="FloClient"/> runs with, however it was created: cluster identity,
/// response timeout, a gateway list refreshed often enough that a client whose gateway died carries on within seconds
/// (stock Orleans waited 30 s here), the call filter that resends what is safe (<see cref="Calls.CallRetryFilter"/>),
/// and, when set, the access token on every call and TLS to the gateways.
/// </summary>
internal static class FloClientDefaults
{
    /// <summary>How often the client asks for the current gateway list. Stock Orleans: 1 minute.</summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(5);

    public static void Apply(IClientBuilder client, FloClientOptions options)
    {
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        // W3C trace context on every call, so a caller's trace continues through the gateway into the grains.
        client.AddActivityPropagation();
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
        client.Services.TryAddSingleton(options);
        client.Services.AddSingleton<Calls.CallRetryFilter>();
        client.Services.AddSingleton<IOutgoingGrainCallFilter>(sp => sp.GetRequiredService<Calls.CallRetryFilter>());
        if (options.Token is { } token)
        {
            client.UseFloToken(token);
        }
        if (options.Tls is { } tls)
        {
            client.UseFloTls(tls);
        }
    }
}
