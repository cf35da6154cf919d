using Flo.Endpoints.Http;
using Flo.Endpoints.Resp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flo.Endpoints;

/// <summary>
/// The platform's protocol endpoints in a silo's web host: HTTP/JSON under <c>/v1</c> with its OpenAPI document, and
/// RESP as a Kestrel connection handler on its own port.
/// </summary>
/// <remarks>
/// A web host wires them in three places: <see cref="AddFloEndpoints"/> (services), <see cref="UseFloEndpoints"/>
/// (middleware, before routing) and <see cref="MapFloEndpoints"/> (routes). Every HTTP error is
/// <c>application/problem+json</c> with a stable <c>code</c> (<see cref="HttpProblems"/>): handlers answer typed errors
/// themselves; what ASP.NET Core answers on its own (no route, wrong method, wrong content type, a query value that
/// does not bind, an unhandled exception) goes through <see cref="UseFloEndpoints"/>.
/// </remarks>
public static class FloEndpoints
{
    /// <summary>
    /// Registers what the endpoints need: the OpenAPI document <c>v1</c>, problem details with a <c>code</c> on every
    /// one, route handlers that report a value which does not bind (instead of an empty 400), the RESP handler, and the
    /// action, schedule and flow operations the APIs share.
    /// </summary>
    public static IServiceCollection AddFloEndpoints(this IServiceCollection services)
    {
        services.AddOpenApi("v1");
        services.AddProblemDetails(options => options.CustomizeProblemDetails = HttpProblems.Customize);
        // A query or route value of the wrong type throws BadHttpRequestException (with the parameter's name) into the
        // exception handler of UseFloEndpoints, which answers 400 InvalidArgument with that message.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<ExceptionHandlerOptions>(options => options.StatusCodeSelector = HttpProblems.StatusOf);
        services.AddSingleton<RespConnectionHandler>();
        // One for the silo (RESP and HTTP): its reference cache is shared, and gets of keys active on this silo are
        // answered from their grains' published values (IKvLocalReads, registered with the grains) without a call.
        services.TryAddSingleton(static sp => new Flo.Kv.KvApi(sp.GetRequiredService<IGrainFactory>(), localReads: sp.GetService<Flo.Kv.IKvLocalReads>()));
        // Open unless the host registered the cluster's tokens first (Flo.Hosting does, from Cluster:Security).
        services.TryAddSingleton(Flo.Security.FloAccessControl.Open);
        // One for the silo: it caches each action's partition count (fixed at its first registration).
        services.TryAddSingleton<Flo.Actions.ActionApi>();
        services.TryAddSingleton<Flo.Schedules.ScheduleApi>();
        services.TryAddSingleton<Flo.Dataflow.FlowApi>();
        // One for the silo: it keeps the previous reading of each silo's message counters for calls per second.
        services.TryAddSingleton<Flo.Management.ManagementApi>();
        return services;
    }

    /// <summary>
    /// Adds the middleware that makes every error a problem: the exception handler (a request ASP.NET Core rejects, a
    /// bug: 400/413/500 problems) and status code pages (404 no such route, 405, 415: problems instead of empty
    /// bodies). Call it before <c>UseRouting</c>.
    /// </summary>
    public static IApplicationBuilder UseFloEndpoints(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Serves RESP on <paramref name="listen"/> (e.g. <c>options.ListenAnyIP(6379, l => l.UseFloResp())</c>).</summary>
    public static ListenOptions UseFloResp(this ListenOptions listen)
    {
        listen.UseConnectionHandler<RespConnectionHandler>();
        return listen;
    }

    /// <summary>Maps the HTTP/JSON API (<c>/v1/ns/{ns}/kv|queues|streams|actions|runs|workers|schedules|flows/...</c>, the management routes <c>/v1/namespaces</c>, <c>/v1/cluster</c>, <c>/v1/ns/{ns}/overview|events</c>) and <c>/openapi/v1.json</c>.</summary>
    public static IEndpointRouteBuilder MapFloEndpoints(this IEndpointRouteBuilder routes)
    {
        KvHttpApi.Map(routes);
        QueueHttpApi.Map(routes);
        StreamHttpApi.Map(routes);
        ActionHttpApi.Map(routes);
        ScheduleHttpApi.Map(routes);
        FlowHttpApi.Map(routes);
        ManagementHttpApi.Map(routes);
        routes.MapOpenApi("/openapi/{documentName}.json");
        return routes;
    }
}
