using Flo.Diagnostics;
using Flo.Runtime.Hosting;
using Flo.Runtime.Lifecycle;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Flo.Runtime.Telemetry;

/// <summary>
/// Exports Flo's spans and metrics over OTLP when <see cref="TelemetryOptions.OtlpEndpoint"/> is set. Built with the
/// OpenTelemetry SDK directly (its hosting package is not available here) and owned by the silo lifecycle.
/// </summary>
internal sealed class OpenTelemetryExport(IOptions<TelemetryOptions> options, SiloDetails silo) : ILifecycleParticipant<ISiloLifecycle>
{
    private TracerProvider? tracer;
    private MeterProvider? meter;

    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe("telemetry", ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            Start();
            return Task.CompletedTask;
        }, _ =>
        {
            tracer?.Dispose();
            meter?.Dispose();
            return Task.CompletedTask;
        });

    private void Start()
    {
        var endpoint = options.Value.OtlpEndpoint;
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }
        var uri = new Uri(endpoint);
        var resource = ResourceBuilder.CreateDefault().AddService(options.Value.ServiceName, serviceInstanceId: silo.Name);
        tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(FloDiagnostics.RuntimeSourceName, FloDiagnostics.ClientSourceName)
            .AddOtlpExporter(o => o.Endpoint = uri)
            .Build();
        meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(FloDiagnostics.RuntimeMeterName, FloDiagnostics.ClientMeterName)
            .AddOtlpExporter(o => o.Endpoint = uri)
            .Build();
    }
}
