using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flo.Diagnostics;
using Flo.Invocation;
using Flo.Messaging;

namespace Flo.Runtime.Telemetry;

/// <summary>
/// Silo metrics on the <c>Flo.Runtime</c> meter: <c>flo.grain.calls</c> (counter, tags rpc.service, rpc.method,
/// status), <c>flo.grain.call.duration</c> (histogram, ms) and <c>flo.activations</c> (per silo).
/// </summary>
internal static class RuntimeInstruments
{
    private static readonly Counter<long> Calls = FloDiagnostics.RuntimeMeter.CreateCounter<long>("flo.grain.calls", "{call}", "Grain calls served by this silo.");
    private static readonly Histogram<double> Duration = FloDiagnostics.RuntimeMeter.CreateHistogram<double>("flo.grain.call.duration", "ms", "Time from start of execution to response, per grain call.");
    private static readonly ConcurrentDictionary<string, Func<int>> ActivationCounts = new();

    static RuntimeInstruments()
    {
        FloDiagnostics.RuntimeMeter.CreateObservableUpDownCounter("flo.activations", ObserveActivations, "{activation}", "Activations in memory, per silo.");
    }

    public static void RecordCall(IInvokable invokable, ResponseStatus status, TimeSpan elapsed)
    {
        if (!Calls.Enabled && !Duration.Enabled)
        {
            return;
        }
        var tags = new TagList { { "rpc.service", invokable.Interface.Alias }, { "rpc.method", invokable.MethodName }, { "status", status.ToString() } };
        Calls.Add(1, tags);
        Duration.Record(elapsed.TotalMilliseconds, tags);
    }

    public static void TrackSilo(string siloName, Func<int> activationCount) => ActivationCounts[siloName] = activationCount;

    public static void UntrackSilo(string siloName) => ActivationCounts.TryRemove(siloName, out _);

    private static IEnumerable<Measurement<int>> ObserveActivations()
    {
        foreach (var (silo, count) in ActivationCounts)
        {
            yield return new Measurement<int>(count(), new KeyValuePair<string, object?>("flo.silo", silo));
        }
    }
}
