using System.Net;
using Flo.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flo.Hosting;

/// <summary>
/// A silo's web side (Kestrel in the silo's host): HTTP (API, OpenAPI, health, cluster members) on
/// <c>Cluster:Endpoints:HttpPort</c> and RESP on <c>Cluster:Endpoints:RespPort</c>.
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
        builder.UseOrleans(silo => silo.UseFloClustering(configuration).AddFloPlatform(configuration));
        builder.Services.AddFloSiloWeb(configuration);
        builder.Services.AddFloTelemetry(configuration);
        return builder;
    }

    /// <summary>Kestrel listeners (HTTP, RESP), the platform endpoints' services and health checks.</summary>
    public static IServiceCollection AddFloSiloWeb(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoints = FloSiloConfiguration.Read(configuration).Endpoints;
        var listeners = new FloListeners();
        services.AddSingleton(listeners);
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            var address = IPAddress.Parse(endpoints.ListenAddress);
            kestrel.Listen(address, endpoints.HttpPort, listen => listeners.Http = listen);
            if (endpoints.RespPort >= 0)
            {
                kestrel.Listen(address, endpoints.RespPort, listen => listeners.Resp = listen.UseFloResp());
            }
        });
        services.AddRouting();
        services.AddFloEndpoints();
        services.AddFloHealthChecks();
        return services;
    }

    /// <summary>Maps the API, OpenAPI, <c>/health/live</c>, <c>/health/ready</c> and <c>/cluster/members</c>.</summary>
    public static IEndpointRouteBuilder MapFloSilo(this IEndpointRouteBuilder routes)
    {
        routes.MapFloEndpoints();
        routes.MapFloHealth();
        routes.MapClusterMembers();
        return routes;
    }
}
