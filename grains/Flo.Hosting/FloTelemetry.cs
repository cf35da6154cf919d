using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Flo.Hosting;

/// <summary>
/// OpenTelemetry for a silo: Orleans' activity sources and meters (plus ASP.NET Core's), exported over OTLP when
/// <c>Cluster:Telemetry:OtlpEndpoint</c> is set. Orleans' activity propagation (on in every silo and
/// <c>FloClient</c>) carries a caller's trace into the grains it calls.
/// </summary>
public static class FloTelemetry
{
    /// <summary>Orleans' ActivitySource names: grain calls (application) and runtime work (runtime).</summary>
    public static readonly string[] ActivitySources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    /// <summary>Orleans' Meter name.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Adds OpenTelemetry with OTLP export when an endpoint is configured; nothing otherwise.</summary>
    public static IServiceCollection AddFloTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = FloSiloConfiguration.Read(configuration).Telemetry;
        if (string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
        {
            return services;
        }
        var endpoint = new Uri(telemetry.OtlpEndpoint);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(ActivitySources)
                .AddSource("Microsoft.AspNetCore")
                .AddOtlpExporter(o => o.Endpoint = endpoint))
            .WithMetrics(metrics => metrics
                .AddMeter(OrleansMeter)
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddOtlpExporter(o => o.Endpoint = endpoint));
        return services;
    }
}
