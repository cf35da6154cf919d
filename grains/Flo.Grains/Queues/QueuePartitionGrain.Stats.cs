using Flo.Management;
using Flo.Queues;

namespace Flo.Grains.Queues;

/// <summary>The partition's counts (stats and metric gauges), its settings, and its entry in the namespace catalog.</summary>
public sealed partial class QueuePartitionGrain
{
    /// <inheritdoc/>
    public Task<QueueStats> Stats()
    {
        EnsureUsable();
        Advance(Now);
        var stats = Count();
        gauges?.Set(stats);
        return Task.FromResult(stats);
    }

    /// <summary>Samples the partition's counts into its metric gauges (every <see cref="PartitionGauges.Period"/> while active).</summary>
    private void RefreshGauges()
    {
        if (commits is { IsBroken: false })
        {
            // Not advanced first: a sample only reads (due messages are moved by the partition's own work and ticker).
            gauges?.Set(Count());
        }
    }

    /// <summary>The partition's counts (O(messages): stats and gauge samples only).</summary>
    private QueueStats Count()
    {
        long delayed = 0, inFlight = 0;
        foreach (var record in messages.Values)
        {
            if (record.Status == QueueMessageStatus.Leased)
            {
                inFlight++;
            }
            else if (record.Status == QueueMessageStatus.Ready && !visible.Contains(record))
            {
                delayed++;
            }
        }
        return new QueueStats
        {
            Depth = visible.Count + delayed,
            Visible = visible.Count,
            Delayed = delayed,
            InFlight = inFlight,
            DlqSize = deadLocals.Count,
            DlqDropped = state.State.DlqDropped,
            Partitions = 1,
            Waiting = waiters.Count + visibilityWatchers.Count,
        };
    }

    /// <inheritdoc/>
    public Task<QueueSettings> GetSettings() => Task.FromResult(Settings);

    /// <inheritdoc/>
    public async Task Configure(QueueSettings settings)
    {
        EnsureUsable();
        QueueSettingsValidator.Validate(settings);
        await CatalogAsync();
        EnsureUsable();
        state.State.Settings = settings;
        await CommitAsync();
    }

    /// <summary>
    /// Enters the queue in its namespace's catalog (for management listings) before the partition's first write; the
    /// flag is stored with that write, so each partition asks once in its life.
    /// </summary>
    private async ValueTask CatalogAsync()
    {
        if (!state.State.Cataloged)
        {
            await GrainFactory.GetGrain<INamespaceCatalogGrain>(ns).Add(CatalogKind.Queue, queue);
            state.State.Cataloged = true;
        }
    }
}
