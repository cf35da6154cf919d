using System.Diagnostics;
using Flo.Hosting;
using Flo.Tests.Shared;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Flo.Silo.Tests;

/// <summary>
/// One trace from a <see cref="FloClient"/> call through the gateway silo to the grain and the grains it calls, as
/// OpenTelemetry exports it (in-memory exporter; the silos run in this process).
/// </summary>
[Trait("Category", "Silo")]
public sealed class TracingTests(TwoSiloMemory fixture) : IClassFixture<TwoSiloMemory>
{
    [Fact]
    public async Task AClientCallAndTheGrainCallsItCausesShareOneTrace()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(FloTelemetry.ActivitySources)
            .AddSource("flo.test")
            .AddInMemoryExporter(exported)
            .Build();
        using var source = new ActivitySource("flo.test");
        await using var client = await fixture.Cluster.ConnectAsync();
        var action = "traced-" + Guid.NewGuid().ToString("N");
        ActivityTraceId traceId;
        using (var root = source.StartActivity("register an action"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            // Registering: the action grain calls the namespace's catalog (and its dispatch partitions) before it answers.
            await client.Action.RegisterAsync(action);
        }
        tracing.ForceFlush();

        List<Activity> trace;
        lock (exported)
        {
            trace = exported.Where(a => a.TraceId == traceId).ToList();
        }
        Assert.Contains(trace, a => a.Kind == ActivityKind.Client && a.DisplayName.Contains("IActionGrain", StringComparison.Ordinal));
        Assert.Contains(trace, a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("IActionGrain", StringComparison.Ordinal));
        Assert.Contains(trace, a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("IActionCatalogGrain", StringComparison.Ordinal));
        Assert.All(trace.Where(a => a.DisplayName != "register an action"), a => Assert.NotEqual(default, a.ParentSpanId));
    }
}
