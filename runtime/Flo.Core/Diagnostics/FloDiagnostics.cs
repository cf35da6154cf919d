using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Flo.Diagnostics;

/// <summary>
/// The names under which Flo publishes traces and metrics. Subscribe to these with OpenTelemetry
/// (<c>AddSource("Flo.*")</c>, <c>AddMeter("Flo.*")</c>).
/// </summary>
public static class FloDiagnostics
{
    /// <summary>ActivitySource of calls made by external clients (span kind Client).</summary>
    public const string ClientSourceName = "Flo.Client";

    /// <summary>ActivitySource of the silo: incoming grain calls (Server) and calls grains make (Client).</summary>
    public const string RuntimeSourceName = "Flo.Runtime";

    /// <summary>Meter of clients.</summary>
    public const string ClientMeterName = "Flo.Client";

    /// <summary>Meter of silos.</summary>
    public const string RuntimeMeterName = "Flo.Runtime";

    /// <summary>Client spans.</summary>
    public static readonly ActivitySource ClientSource = new(ClientSourceName, "1.0");

    /// <summary>Silo spans.</summary>
    public static readonly ActivitySource RuntimeSource = new(RuntimeSourceName, "1.0");

    /// <summary>Client meter.</summary>
    public static readonly Meter ClientMeter = new(ClientMeterName, "1.0");

    /// <summary>Silo meter.</summary>
    public static readonly Meter RuntimeMeter = new(RuntimeMeterName, "1.0");

    /// <summary>Calls made by clients, tagged by interface, method and status.</summary>
    public static readonly Counter<long> ClientCalls = ClientMeter.CreateCounter<long>("flo.client.calls", "{call}", "Grain calls made by this client.");

    /// <summary>Client-observed call latency.</summary>
    public static readonly Histogram<double> ClientCallDuration = ClientMeter.CreateHistogram<double>("flo.client.call.duration", "ms", "Grain call latency seen by the client.");
}
