using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>
/// The group's consumers: leaving, and being removed after the consumer timeout; either way their pending records go
/// back to be redelivered to whoever reads next.
/// </summary>
public sealed partial class StreamGroupGrain
{
    /// <inheritdoc/>
    public async Task<bool> Leave(string consumer)
    {
        EnsureExists();
        ValidateConsumer(consumer);
        if (!consumers.Remove(consumer))
        {
            return false;
        }
        ReleaseAll(consumer);
        await WriteAsync();
        return true;
    }

    /// <summary>
    /// Removes consumers that have not read for the consumer timeout; true when one was removed. Looks at most every
    /// quarter of the timeout (and at most every second): the walk over all consumers is not for every read.
    /// </summary>
    private bool ExpireConsumers(long now, string reader)
    {
        if (now < nextConsumerSweepMs)
        {
            return false;
        }
        nextConsumerSweepMs = now + Math.Min(1_000, Settings.ConsumerTimeoutMs / 4);
        var gone = consumers.IdleLongerThan(now, Settings.ConsumerTimeoutMs, reader);
        foreach (var consumer in gone)
        {
            consumers.Remove(consumer);
            ReleaseAll(consumer);
        }
        return gone.Count > 0;
    }

    /// <summary>Makes a consumer's pending records due at once, so the next read redelivers them.</summary>
    private void ReleaseAll(string consumer)
    {
        foreach (var entry in pending.Values.Where(e => e.Consumer == consumer))
        {
            entry.DeliveredAtMs = -Settings.AckTimeoutMs;
            DueAt.Schedule(entry.Key, 0);
            state.StageRecord(entry.Slot, entry);
        }
    }

    private static void ValidateConsumer(string consumer)
    {
        if (string.IsNullOrEmpty(consumer) || consumer.Length > 256)
        {
            throw new StreamArgumentException("A consumer name is 1 to 256 characters.");
        }
    }
}
