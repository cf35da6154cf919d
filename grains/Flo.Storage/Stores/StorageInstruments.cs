using System.Diagnostics.Metrics;

namespace Flo.Storage.Stores;

/// <summary>
/// The storage provider's metrics, in the platform's meter (<c>Flo</c>, as <c>FloInstruments</c> in the grains): how
/// well group commit groups, which is what a durable write's throughput follows. Listed in docs/runtime.md.
/// </summary>
/// <remarks>Static, as the platform's other instruments: a process hosting several silos (tests) reports them once.</remarks>
internal static class StorageInstruments
{
    private static readonly Meter Meter = new("Flo", typeof(StorageInstruments).Assembly.GetName().Version?.ToString());

    /// <summary>State writes committed by one transaction: tag <c>storage</c> (sqlite, postgres).</summary>
    internal static readonly Histogram<long> BatchWrites = Meter.CreateHistogram(
        "flo.storage.batch.writes",
        "{write}",
        "State writes carried by one storage transaction (group commit).",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });

    /// <summary>Time one write transaction took, its statements and commit (fsync) included: tag <c>storage</c>.</summary>
    internal static readonly Histogram<double> BatchDuration = Meter.CreateHistogram(
        "flo.storage.batch.duration",
        "ms",
        "Time one storage write transaction took, commit included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000] });
}
