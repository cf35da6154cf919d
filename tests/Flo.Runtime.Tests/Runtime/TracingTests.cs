using System.Collections.Concurrent;
using System.Diagnostics;
using Flo.Diagnostics;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;

namespace Flo.Runtime.Tests.Runtime;

[Trait("Category", "Runtime")]
public sealed class TracingTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>, IDisposable
{
    private readonly ConcurrentBag<Activity> stopped = [];
    private ActivityListener? listener;

    private void Listen()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is FloDiagnostics.ClientSourceName or FloDiagnostics.RuntimeSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => stopped.Add(a),
        };
        ActivitySource.AddActivityListener(listener);
    }

    [Fact]
    public async Task AClientCallProducesAClientSpanAndASiloSpanInOneTrace()
    {
        Listen();
        var key = "trace-" + Guid.NewGuid().ToString("N");
        await fixture.Cluster.GrainFactory.GetGrain<ICounterGrain>(key).Add(1);

        var client = Assert.Single(stopped, a => a.Source.Name == FloDiagnostics.ClientSourceName && (string?)a.GetTagItem("flo.grain.key") == key);
        Assert.Equal(ActivityKind.Client, client.Kind);
        var server = Assert.Single(stopped, a => a.Source.Name == FloDiagnostics.RuntimeSourceName && (string?)a.GetTagItem("flo.grain.id") == $"counter/{key}");
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal(client.TraceId, server.TraceId);
        Assert.Equal(client.SpanId, server.ParentSpanId);
        Assert.Equal(fixture.Cluster.Silos[0].Name, server.GetTagItem("flo.silo"));
    }

    [Fact]
    public async Task GrainToGrainCallsStayInTheCallersTrace()
    {
        Listen();
        var key = "trace2-" + Guid.NewGuid().ToString("N");
        var counter = fixture.Cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        await fixture.Cluster.GrainFactory.GetGrain<IEchoGrain>(key).AddVia(counter, 1);

        var client = Assert.Single(stopped, a => a.Source.Name == FloDiagnostics.ClientSourceName && (string?)a.GetTagItem("flo.grain.key") == key && a.DisplayName.EndsWith("/AddVia"));
        var inner = Assert.Single(stopped, a => a.Source.Name == FloDiagnostics.RuntimeSourceName && a.Kind == ActivityKind.Server && (string?)a.GetTagItem("flo.grain.id") == $"counter/{key}");
        Assert.Equal(client.TraceId, inner.TraceId);
    }

    public void Dispose() => listener?.Dispose();
}
