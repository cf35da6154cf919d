using Flo.Grains.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Flo.Hosting;

/// <summary>
/// OpenTelemetry for a silo. Metrics, always: the platform's meter (<see cref="FloInstruments.MeterName"/>), Orleans'
/// (<see cref="OrleansMeter"/>), ASP.NET Core's and Kestrel's, and the .NET runtime's, scraped by Prometheus at
/// <see cref="MetricsPath"/> on the HTTP port and also exported over OTLP when <c>Cluster:Telemetry:OtlpEndpoint</c> is
/// set. Traces (Orleans' activity sources, the flows' <c>Flo.Dataflow</c> and ASP.NET Core's) are exported over OTLP when that endpoint is set; Orleans'
/// activity propagation (on in every silo and <c>FloClient</c>) carries a caller's trace into the grains it calls.
/// </summary>
public static class FloTelemetry
{
    /// <summary>Orleans' ActivitySource names: grain calls (application) and runtime work (runtime).</summary>
    public static readonly string[] ActivitySources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    /// <summary>Orleans' Meter name.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Where Prometheus scrapes a silo's metrics (on the HTTP port).</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Adds OpenTelemetry: metrics with the Prometheus exporter, and OTLP export of metrics and traces when an endpoint is configured.</summary>
    public static IServiceCollection AddFloTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = FloSiloConfiguration.Read(configuration).Telemetry;
        var otlp = string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint) ? null : new Uri(telemetry.OtlpEndpoint);
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(FloInstruments.MeterName, OrleansMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = otlp);
                }
            });
        if (otlp is not null)
        {
            builder.WithTracing(tracing => tracing
                .AddSource(ActivitySources)
                .AddSource(Flo.Dataflow.FlowTracing.SourceName)
                .AddSource("Microsoft.AspNetCore")
                .AddOtlpExporter(o => o.Endpoint = otlp));
        }
        return services;
    }

    /// <summary>Maps the Prometheus scrape endpoint (<see cref="MetricsPath"/>, text exposition format).</summary>
    public static IEndpointRouteBuilder MapFloMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapPrometheusScrapingEndpoint(MetricsPath);
        return routes;
    }
}
