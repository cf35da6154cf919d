namespace Flo.Grains.Streams;

/// <summary>
/// The consumers of a group and when each last read. Each consumer is a row of the group (so the group's state does not
/// grow with them); a consumer's stored read time is refreshed only when it is a quarter of the consumer timeout old,
/// so reads do not each rewrite it.
/// </summary>
/// <remarks>
/// After a reactivation a consumer's idle time counts from its stored read time, so it can be removed up to a quarter
/// of the timeout early. Removing a consumer only makes its pending records due for redelivery, and it is added again
/// when it reads, so that costs at most a redelivery.
/// </remarks>
internal sealed class StreamGroupConsumers(IPersistentState<StreamGroupState> state)
{
    private readonly Dictionary<string, PendingRecord> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> lastReadMs = new(StringComparer.Ordinal);

    /// <summary>How many consumers the group has.</summary>
    public int Count => byName.Count;

    /// <summary>Takes a stored consumer row at activation.</summary>
    public void Load(PendingRecord row)
    {
        byName[row.Consumer] = row;
        lastReadMs[row.Consumer] = row.DeliveredAtMs;
    }

    /// <summary>Whether <paramref name="consumer"/> is a member.</summary>
    public bool Contains(string consumer) => byName.ContainsKey(consumer);

    /// <summary>Records that <paramref name="consumer"/> read (or joined) at <paramref name="now"/>; true when a row was staged.</summary>
    public bool Touch(string consumer, long now, long consumerTimeoutMs)
    {
        lastReadMs[consumer] = now;
        if (byName.TryGetValue(consumer, out var row))
        {
            if (now - row.DeliveredAtMs < consumerTimeoutMs / 4)
            {
                return false;
            }
        }
        else
        {
            row = new PendingRecord { Slot = state.State.NextSlot++, IsConsumer = true, Consumer = consumer };
            byName[consumer] = row;
        }
        row.DeliveredAtMs = now;
        state.StageRecord(row.Slot, row);
        return true;
    }

    /// <summary>Removes a consumer; false when it was not a member.</summary>
    public bool Remove(string consumer)
    {
        if (!byName.Remove(consumer, out var row))
        {
            return false;
        }
        lastReadMs.Remove(consumer);
        state.StageRecordDeletion(row.Slot);
        return true;
    }

    /// <summary>Consumers other than <paramref name="except"/> that have not read for longer than <paramref name="timeoutMs"/>.</summary>
    public List<string> IdleLongerThan(long now, long timeoutMs, string except)
    {
        List<string>? idle = null;
        foreach (var (consumer, readAt) in lastReadMs)
        {
            if (now - readAt > timeoutMs && consumer != except)
            {
                (idle ??= []).Add(consumer);
            }
        }
        return idle ?? [];
    }

    /// <summary>Milliseconds since each consumer last read.</summary>
    public Dictionary<string, long> IdleMs(long now) => lastReadMs.ToDictionary(c => c.Key, c => Math.Max(0, now - c.Value));
}
