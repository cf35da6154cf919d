using Flo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>services.AddFloClient(...)</c>: the platform's client in a Generic Host service (ASP.NET Core, workers).
/// </summary>
/// <remarks>
/// <para>In a plain service it adds an Orleans client (<c>AddOrleansClient</c>, the same as <c>UseOrleansClient</c>)
/// configured with <c>FloClientDefaults</c> (cluster identity, response timeout, gateway refresh, the retry filter),
/// clustered through the static <see cref="FloClientServiceOptions.Gateways"/> or the ADO.NET membership table in
/// PostgreSQL, and registers <see cref="Flo.FloClient"/> as a singleton over the registered <see cref="IClusterClient"/>.
/// The host starts the Orleans client (and fails to start when no gateway answers); inject <see cref="Flo.FloClient"/>
/// for the platform's KV, queues and streams, or <see cref="IClusterClient"/>/<see cref="IGrainFactory"/> (or
/// <see cref="Flo.FloClient.Grains"/>) for the service's own grains: one connection for both.</para>
/// <para>In a silo's host (one that called <c>UseOrleans</c> before this, detected by the silo-only
/// <see cref="ILocalSiloDetails"/> service) it adds no second client: <see cref="Flo.FloClient"/> wraps the silo's
/// <see cref="IGrainFactory"/>, gateways are not needed, and calls go out once (the silo's own semantics, no retry
/// filter). Call <c>UseOrleans</c> first: Orleans refuses <c>UseOrleans</c> after a client was added.</para>
/// </remarks>
public static class FloClientServiceCollectionExtensions
{
    /// <summary>Adds <see cref="Flo.FloClient"/> configured by <paramref name="configure"/>; see the class remarks.</summary>
    /// <exception cref="ArgumentException">The options are invalid (no gateways and no membership connection string, a gateway that is not host:port, ...).</exception>
    public static IServiceCollection AddFloClient(this IServiceCollection services, Action<FloClientServiceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new FloClientServiceOptions();
        configure(options);
        return services.AddFloClient(options);
    }

    /// <summary>Adds <see cref="Flo.FloClient"/> configured from a configuration section (e.g. <c>builder.Configuration.GetSection("Flo")</c>).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IServiceCollection AddFloClient(this IServiceCollection services, IConfiguration configuration, Action<FloClientServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new FloClientServiceOptions();
        configuration.Bind(options);
        configure?.Invoke(options);
        return services.AddFloClient(options);
    }

    /// <summary>Adds <see cref="Flo.FloClient"/> with <paramref name="options"/>; see the class remarks.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IServiceCollection AddFloClient(this IServiceCollection services, FloClientServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (services.Any(d => d.ServiceType == typeof(Flo.FloClient)))
        {
            throw new InvalidOperationException("AddFloClient was called twice on one service collection; a host has one FloClient.");
        }

        var inSilo = services.Any(d => d.ServiceType == typeof(ILocalSiloDetails));
        options.Validate(needsCluster: !inSilo);
        var clientOptions = options.ToClientOptions();
        services.TryAddSingleton(clientOptions);

        if (inSilo)
        {
            services.AddSingleton(sp => new Flo.FloClient(sp.GetRequiredService<IGrainFactory>(), clientOptions));
            return services;
        }

        var gateways = options.Gateways.ToArray();
        var membership = options.MembershipConnectionString;
        services.AddOrleansClient(client =>
        {
            if (gateways.Length > 0)
            {
                // Resolved when the client starts (options are built lazily), not at registration.
                client.UseStaticClustering(o => o.Gateways = [.. GatewayAddress.ResolveAll(gateways, nameof(options.Gateways)).Select(e => e.ToGatewayUri())]);
                if (options.LearnGateways)
                {
                    client.Services.AddSingleton<Orleans.Messaging.IGatewayListProvider, Flo.Hosting.LearningGatewayListProvider>();
                }
            }
            else
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = membership;
                });
            }
            Flo.FloClientDefaults.Apply(client, clientOptions);
        });
        services.AddSingleton(sp => new Flo.FloClient(sp.GetRequiredService<IClusterClient>(), clientOptions));
        return services;
    }
}
