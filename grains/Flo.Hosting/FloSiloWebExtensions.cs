using System.Net;
using Flo.Dashboard;
using Flo.Endpoints;
using Flo.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;

namespace Flo.Hosting;

/// <summary>
/// A silo's web side (Kestrel in the silo's host): HTTP (API, OpenAPI, health, cluster members, the web dashboard at
/// <c>/</c> and Orleans' dashboard at <c>/orleans/</c>) on <c>Cluster:Endpoints:HttpPort</c> and RESP on
/// <c>Cluster:Endpoints:RespPort</c>. The pipeline: <c>UseFloEndpoints</c>, <see cref="UseFloHttpToken"/>, then the
/// routes of <see cref="MapFloSilo"/>.
/// </summary>
public static class FloSiloWebExtensions
{
    /// <summary>
    /// The embedded or cluster silo in one <see cref="WebApplication"/>: Orleans (<see cref="FloSiloBuilderExtensions.UseFloClustering"/>
    /// and <see cref="FloSiloBuilderExtensions.AddFloPlatform"/>), Kestrel listeners, endpoints, health and telemetry.
    /// Map the routes with <see cref="MapFloSilo"/>.
    /// </summary>
    public static WebApplicationBuilder AddFloSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var shutdownTimeout = FloSiloConfiguration.Read(configuration).ShutdownTimeoutSeconds;
        if (shutdownTimeout <= 0)
        {
            throw new InvalidOperationException($"Cluster:ShutdownTimeoutSeconds must be positive; got {shutdownTimeout}.");
        }
        // The silo's graceful stop (leave membership, deactivate grains) runs inside the host's stop and turns
        // ungraceful when this runs out; a pod's terminationGracePeriodSeconds is sized from it (k8s/README.md).
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(shutdownTimeout));
        builder.UseOrleans(silo => silo.UseFloClustering(configuration).AddFloPlatform(configuration));
        builder.Services.AddFloSiloWeb(configuration);
        return builder;
    }

    /// <summary>
    /// Kestrel listeners (HTTP, RESP; with <c>Cluster:Tls:Enabled</c> HTTPS and RESP over TLS), the platform endpoints'
    /// services, the access tokens they check (<c>Cluster:Security</c>), health checks and telemetry (metrics always, OTLP
    /// when configured).
    /// </summary>
    public static IServiceCollection AddFloSiloWeb(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoints = FloSiloConfiguration.Read(configuration).Endpoints;
        var tls = FloTls.Read(configuration);
        var listeners = new FloListeners();
        services.AddSingleton(listeners);
        if (tls.Enabled)
        {
            FloTls.AddTlsMaterial(services, configuration);
        }
        services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>((kestrel, provider) =>
        {
            var address = IPAddress.Parse(endpoints.ListenAddress);
            var material = tls.Enabled ? provider.GetRequiredService<FloTlsMaterial>() : null;
            kestrel.Listen(address, endpoints.HttpPort, listen =>
            {
                listeners.Http = listen;
                if (material is not null && tls.Http)
                {
                    listen.UseFloHttps(material);
                }
            });
            if (endpoints.RespPort >= 0)
            {
                // TLS first: the RESP handler then reads the decrypted stream.
                kestrel.Listen(address, endpoints.RespPort, listen => listeners.Resp = (material is not null && tls.Resp ? listen.UseFloHttps(material) : listen).UseFloResp());
            }
        });
        // Before the endpoints: they take the cluster's tokens when registered, an open table otherwise.
        services.AddFloSecurity(configuration);
        services.AddRouting();
        services.AddFloEndpoints();
        services.AddFloHealthChecks();
        services.AddFloTelemetry(configuration);
        return services;
    }

    /// <summary>
    /// Requires the access tokens (<c>Cluster:Security:Tokens</c>, <c>Cluster:HttpToken</c>; <see cref="FloHttpTokenMiddleware"/>)
    /// on what follows when the configuration names any; adds nothing otherwise. Call it after <c>UseFloEndpoints</c>
    /// (its exception handler and status code pages stay in front) and before the routes.
    /// </summary>
    public static IApplicationBuilder UseFloHttpToken(this IApplicationBuilder app)
    {
        var configuration = app.ApplicationServices.GetRequiredService<IConfiguration>();
        if (FloSecurity.IsConfigured(configuration))
        {
            app.UseMiddleware<FloHttpTokenMiddleware>();
        }
        return app;
    }

    /// <summary>
    /// Maps the API, OpenAPI, <c>/health/live</c>, <c>/health/ready</c>, <c>/cluster/members</c>, <c>/metrics</c>, the web dashboard
    /// (<c>/</c>, <c>/dashboard/*</c>) and Orleans' runtime dashboard (<c>/orleans/</c>, its services added by
    /// <see cref="FloSiloBuilderExtensions.AddFloPlatform"/>; with <see cref="FloTelemetryOptions.OrleansDashboard"/> off,
    /// a 404 problem that says so).
    /// </summary>
    public static IEndpointRouteBuilder MapFloSilo(this IEndpointRouteBuilder routes)
    {
        routes.MapFloEndpoints();
        routes.MapFloHealth();
        routes.MapClusterMembers();
        routes.MapFloMetrics();
        routes.MapFloDashboard();
        if (FloSiloConfiguration.Read(routes.ServiceProvider.GetRequiredService<IConfiguration>()).Telemetry.OrleansDashboard)
        {
            // Its routes are the Orleans dashboard's own page and internals, not the platform's API: left out of the OpenAPI document.
            routes.MapOrleansDashboard(DashboardAccess.OrleansDashboardPrefix).ExcludeFromDescription();
        }
        else
        {
            // The web dashboard links here: say why there is nothing, rather than a bare 404.
            routes.Map(DashboardAccess.OrleansDashboardPrefix + "/{**rest}", () => Results.Problem(
                detail: "Orleans' dashboard is off on this silo (Cluster:Telemetry:OrleansDashboard=false).",
                statusCode: StatusCodes.Status404NotFound,
                title: "NotFound",
                extensions: new Dictionary<string, object?> { ["code"] = "NotFound" })).ExcludeFromDescription();
        }
        return routes;
    }
}
