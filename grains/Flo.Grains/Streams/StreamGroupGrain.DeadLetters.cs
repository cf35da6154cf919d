using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>Dead letters: pending records that reached the group's maximum deliveries.</summary>
public sealed partial class StreamGroupGrain
{
    /// <inheritdoc/>
    public Task<StreamPendingEntry[]> DeadLetters(int count)
    {
        EnsureExists();
        StreamLimits.ValidateCount(count);
        var now = Now;
        return Task.FromResult(dead.Values.Take(count).Select(e => ToEntry(e, now)).ToArray());
    }

    private void Bury(PendingRecord entry)
    {
        pending.Remove(entry.Key);
        entry.Dead = true;
        dead[entry.Slot] = entry;
        state.StageRecord(entry.Slot, entry);
        while (dead.Count > Settings.DlqMaxSize)
        {
            var oldest = dead.First().Value;
            dead.Remove(oldest.Slot);
            state.StageRecordDeletion(oldest.Slot);
            state.State.DlqDropped++;
        }
    }
}
