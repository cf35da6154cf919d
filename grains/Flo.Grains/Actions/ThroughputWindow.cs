using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// Run events counted per minute over the last hour, in a ring of minute slots: O(1) per event, no allocation, and a
/// slot is reused (reset) when its minute comes round again.
/// </summary>
internal sealed class ThroughputWindow
{
    /// <summary>Minutes kept.</summary>
    public const int Minutes = 60;

    private const long MinuteMs = 60_000;
    private readonly Slot[] slots = new Slot[Minutes];

    /// <summary>Counts an event at <paramref name="nowMs"/>.</summary>
    public void Count(ActionEventKind kind, long nowMs)
    {
        var minute = nowMs / MinuteMs;
        ref var slot = ref slots[minute % Minutes];
        if (slot.Minute != minute)
        {
            slot = new Slot { Minute = minute };
        }
        switch (kind)
        {
            case ActionEventKind.Created: slot.Created++; break;
            case ActionEventKind.Started: slot.Started++; break;
            case ActionEventKind.Completed: slot.Completed++; break;
            case ActionEventKind.Failed: slot.Failed++; break;
            case ActionEventKind.Retrying: slot.Retrying++; break;
            case ActionEventKind.TimedOut: slot.TimedOut++; break;
            case ActionEventKind.Cancelled: slot.Cancelled++; break;
        }
    }

    /// <summary>The last <paramref name="minutes"/> minutes up to the one of <paramref name="nowMs"/>, oldest first; empty minutes are zeros.</summary>
    public RunThroughput[] Last(int minutes, long nowMs)
    {
        var current = nowMs / MinuteMs;
        var result = new RunThroughput[minutes];
        for (var i = 0; i < minutes; i++)
        {
            var minute = current - minutes + 1 + i;
            var slot = slots[minute % Minutes];
            result[i] = slot.Minute == minute
                ? new RunThroughput
                {
                    MinuteMs = minute * MinuteMs, Created = slot.Created, Started = slot.Started, Completed = slot.Completed,
                    Failed = slot.Failed, Retrying = slot.Retrying, TimedOut = slot.TimedOut, Cancelled = slot.Cancelled,
                }
                : new RunThroughput { MinuteMs = minute * MinuteMs };
        }
        return result;
    }

    private struct Slot
    {
        public long Minute;
        public long Created, Started, Completed, Failed, Retrying, TimedOut, Cancelled;
    }
}
