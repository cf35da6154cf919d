using Flo.Grains;
using Flo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Storage;

namespace Flo.Hosting;

/// <summary>
/// <c>/health/live</c> (the process answers: for a liveness probe), <c>/health/ready</c> (this silo is an active
/// member and its storage answers: for a readiness probe and load balancers) and <c>/cluster/members</c> (Orleans'
/// membership table as JSON).
/// </summary>
public static class FloHealth
{
    private const string Ready = "ready";

    /// <summary>Registers the readiness checks.</summary>
    public static IServiceCollection AddFloHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<SiloActiveCheck>("silo", tags: [Ready])
            .AddCheck<StorageCheck>("storage", tags: [Ready]);
        return services;
    }

    /// <summary>
    /// Maps <c>/health/live</c> and <c>/health/ready</c> (plain text <c>Healthy</c> with 200, or the status and the
    /// failing checks' reasons with 503), as minimal API routes so they are in the OpenAPI document.
    /// </summary>
    public static IEndpointRouteBuilder MapFloHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health/live", () => Results.Text("Healthy"))
            .WithTags("health").WithName("Live").WithSummary("The process answers (liveness probe).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        routes.MapGet("/health/ready", async (HealthCheckService health, CancellationToken cancellationToken) =>
            {
                var report = await health.CheckHealthAsync(c => c.Tags.Contains(Ready), cancellationToken);
                if (report.Status == HealthStatus.Healthy)
                {
                    return Results.Text("Healthy");
                }
                var reasons = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
                return Results.Text($"{report.Status}\n{string.Join("\n", reasons)}", statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .WithTags("health").WithName("Ready").WithSummary("This silo is an active cluster member and its storage answers (readiness probe).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
        return routes;
    }

    /// <summary>Maps <c>/cluster/members</c>: every silo in the membership table with its status and gateway.</summary>
    public static IEndpointRouteBuilder MapClusterMembers(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/cluster/members", async (IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false).WaitAsync(cancellationToken);
            return Results.Ok(new
            {
                members = hosts.OrderBy(h => h.SiloName, StringComparer.Ordinal).Select(h => new
                {
                    name = h.SiloName,
                    address = h.SiloAddress.ToParsableString(),
                    status = h.Status.ToString(),
                    gateway_port = h.ProxyPort,
                    host = h.HostName,
                    started = h.StartTime,
                    i_am_alive = h.IAmAliveTime,
                }),
            });
        }).WithTags("cluster").WithName("ClusterMembers").WithSummary("Every silo in Orleans' membership table, with its status and gateway port.");
        return routes;
    }

    private sealed class SiloActiveCheck(ISiloStatusOracle oracle) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            => Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Silo {oracle.SiloName} is {oracle.CurrentStatus}."));
    }

    private sealed class StorageCheck(IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetKeyedService<IGrainStorage>(FloStorage.Name) is not FloGrainStorage storage)
            {
                return HealthCheckResult.Unhealthy("The platform's grain storage is not registered.");
            }
            try
            {
                return await storage.CheckHealthAsync(cancellationToken)
                    ? HealthCheckResult.Healthy(storage.Describe())
                    : HealthCheckResult.Unhealthy("Storage is not reachable: " + storage.Describe());
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy("Storage check failed: " + e.Message);
            }
        }
    }
}
