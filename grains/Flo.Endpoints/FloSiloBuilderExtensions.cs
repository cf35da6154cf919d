using Flo.Grains;
using Flo.Runtime.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Endpoints;

/// <summary>Adds the platform's features to a silo: their grains and their protocol endpoints.</summary>
public static class FloSiloBuilderExtensions
{
    /// <summary>
    /// Hosts the platform grains (KV, ...) and serves them over the client protocol, and (as they land) RESP on the
    /// gateway port and HTTP/JSON under <c>/v1</c> on the HTTP port.
    /// </summary>
    public static SiloBuilder AddFloPlatform(this SiloBuilder silo)
    {
        silo.AddGrains(typeof(GrainsAssembly).Assembly);
        silo.AddGatewayProtocol<Resp.RespProtocol>();
        silo.Services.AddOpenApi("v1");
        silo.MapEndpoints(routes =>
        {
            Http.KvHttpApi.Map(routes);
            Http.QueueHttpApi.Map(routes);
            Http.StreamHttpApi.Map(routes);
            routes.MapOpenApi("/openapi/{documentName}.json");
        });
        return silo;
    }
}
