using Flo.Grains.Diagnostics;
using Flo.Queues;

namespace Flo.Grains.Queues;

/// <summary>A queue partition's cells in the depth, in-flight and dead-letter gauges, sampled while it is active.</summary>
internal sealed class PartitionGauges(KeyValuePair<string, object?>[] tags) : IDisposable
{
    /// <summary>How often an active partition samples its counts (O(messages) each time).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private readonly GaugeCells.Cell depth = FloInstruments.QueueDepths.Add(tags);
    private readonly GaugeCells.Cell inFlight = FloInstruments.QueueInFlight.Add(tags);
    private readonly GaugeCells.Cell dead = FloInstruments.QueueDeadLetters.Add(tags);

    /// <summary>Sets the cells from the partition's counts.</summary>
    public void Set(QueueStats stats)
    {
        depth.Set(stats.Depth);
        inFlight.Set(stats.InFlight);
        dead.Set(stats.DlqSize);
    }

    /// <summary>Leaves the gauges (the partition deactivates).</summary>
    public void Dispose()
    {
        depth.Dispose();
        inFlight.Dispose();
        dead.Dispose();
    }
}
