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
internal sealed class StreamGroupConsumers(IStateWithRecords<StreamGroupState> state)
{
    private readonly Dictionary<string, Member> members = new(StringComparer.Ordinal);

    /// <summary>Takes a stored consumer row at activation.</summary>
    public void Load(PendingRecord row) => members[row.Consumer] = new Member(row) { LastReadMs = row.DeliveredAtMs };

    /// <summary>Records that <paramref name="consumer"/> read (or joined) at <paramref name="now"/>; true when a row was staged.</summary>
    public bool Touch(string consumer, long now, long consumerTimeoutMs)
    {
        if (!members.TryGetValue(consumer, out var member))
        {
            member = new Member(new PendingRecord { Slot = state.State.NextSlot++, IsConsumer = true, Consumer = consumer });
            members[consumer] = member;
        }
        else if (now - member.Row.DeliveredAtMs < consumerTimeoutMs / 4)
        {
            member.LastReadMs = now;
            return false;
        }
        member.LastReadMs = now;
        member.Row.DeliveredAtMs = now;
        state.StageRecord(member.Row.Slot, member.Row);
        return true;
    }

    /// <summary>Removes a consumer; false when it was not a member.</summary>
    public bool Remove(string consumer)
    {
        if (!members.Remove(consumer, out var member))
        {
            return false;
        }
        state.StageRecordDeletion(member.Row.Slot);
        return true;
    }

    /// <summary>Consumers other than <paramref name="except"/> that have not read for longer than <paramref name="timeoutMs"/>.</summary>
    public List<string> IdleLongerThan(long now, long timeoutMs, string except)
        => [.. members.Where(m => now - m.Value.LastReadMs > timeoutMs && m.Key != except).Select(m => m.Key)];

    /// <summary>Milliseconds since each consumer last read.</summary>
    public Dictionary<string, long> IdleMs(long now) => members.ToDictionary(m => m.Key, m => Math.Max(0, now - m.Value.LastReadMs));

    /// <summary>A consumer: its stored row (with the read time as stored) and when it really last read.</summary>
    private sealed class Member(PendingRecord row)
    {
        public PendingRecord Row { get; } = row;

        public long LastReadMs { get; set; }
    }
}
