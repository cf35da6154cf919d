using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>
/// Claims: a consumer takes over pending records idle for at least a given time (named ones, or the oldest), as Redis'
/// XCLAIM and XAUTOCLAIM do; each counts as a delivery.
/// </summary>
public sealed partial class StreamGroupGrain
{
    /// <inheritdoc/>
    public async Task<StreamRecord[]> Claim(string consumer, long minIdleMs, StreamPendingKey[] keys)
    {
        EnsureExists();
        ValidateConsumer(consumer);
        ValidateKeys(keys);
        return await ClaimAsync(consumer, minIdleMs, keys.Where(pending.ContainsKey).Select(k => pending[k]).ToList());
    }

    /// <inheritdoc/>
    public async Task<StreamRecord[]> AutoClaim(string consumer, long minIdleMs, int count)
    {
        EnsureExists();
        ValidateConsumer(consumer);
        StreamLimits.ValidateCount(count);
        var now = Now;
        var candidates = pending.Values.Where(e => now - e.DeliveredAtMs >= minIdleMs).OrderBy(e => e.Slot).Take(count).ToList();
        return await ClaimAsync(consumer, minIdleMs, candidates);
    }

    private async Task<StreamRecord[]> ClaimAsync(string consumer, long minIdleMs, List<PendingRecord> candidates)
    {
        if (minIdleMs < 0)
        {
            throw new StreamArgumentException($"MinIdleMs must not be negative; got {minIdleMs}.");
        }
        var now = Now;
        var records = new List<StreamRecord>();
        foreach (var entry in candidates)
        {
            if (now - entry.DeliveredAtMs < minIdleMs)
            {
                continue;
            }
            var deliveredAt = entry.DeliveredAtMs;
            var record = await FetchAsync(entry);
            if (record is null || !StillPending(entry, entry.DeliveredAtMs == deliveredAt))
            {
                continue;
            }
            Deliver(entry, consumer, now);
            records.Add(record with { Deliveries = entry.Deliveries });
        }
        consumers.Touch(consumer, now, Settings.ConsumerTimeoutMs);
        await WriteAsync();
        return [.. records];
    }
}
