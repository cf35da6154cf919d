using System.Diagnostics.Tracing;

namespace Flo.Bench;

/// <summary>
/// With <c>FLO_GC_TRACE=1</c>: prints every garbage collection of the bench process that paused it over 5 ms, with its
/// generation, how long suspending the threads took, and how many bytes it marked from each kind of root. A schedule
/// bench's lateness tail is runs whose start fell in such a pause; "older" (objects reachable from older generations
/// through the card table) is what the silo's long-lived structures keep alive.
/// </summary>
/// <remarks>Reads the runtime's own GC events in process (keyword 0x1); the ids and payload positions are those of the
/// documented <c>GCStart_V2</c>, <c>GCSuspendEEBegin_V1</c>/<c>End_V1</c>, <c>GCRestartEEEnd</c> and <c>GCMarkWithType</c>.</remarks>
public sealed class GcPauseTrace : EventListener
{
    private const int GcStart = 1, RestartEnd = 3, SuspendEnd = 8, SuspendBegin = 9, MarkWithType = 202;
    private static readonly string[] Roots = ["stack", "finalize-queue", "handles", "older", "sized-ref", "overflow", "dependent-handles", "new-finalize-queue", "steal", "background"];
    private readonly long[] marked = new long[Roots.Length];
    private DateTime suspendBegin, suspendEnd;
    private long count;
    private int generation;

    private GcPauseTrace()
    {
    }

    /// <summary>A trace when <c>FLO_GC_TRACE=1</c>, else null.</summary>
    public static GcPauseTrace? StartIfAsked() => Environment.GetEnvironmentVariable("FLO_GC_TRACE") == "1" ? new GcPauseTrace() : null;

    /// <inheritdoc/>
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1);
        }
    }

    /// <inheritdoc/>
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventId)
        {
            case SuspendBegin:
                suspendBegin = e.TimeStamp;
                break;
            case SuspendEnd:
                suspendEnd = e.TimeStamp;
                break;
            case GcStart:
                count = Convert.ToInt64(e.Payload![0]);
                generation = Convert.ToInt32(e.Payload![1]);
                Array.Clear(marked);
                break;
            case MarkWithType when Convert.ToInt32(e.Payload![2]) is var root && root < marked.Length:
                marked[root] += Convert.ToInt64(e.Payload![3]);
                break;
            case RestartEnd:
                var pause = (e.TimeStamp - suspendBegin).TotalMilliseconds;
                if (pause > 5)
                {
                    var roots = string.Join(" ", Roots.Select((r, i) => marked[i] >= 50_000 ? $"{r}={marked[i] / 1e6:N1}MB" : null).Where(r => r is not null));
                    Console.WriteLine($"    gc #{count} gen{generation}: paused {pause:N1} ms (suspending {(suspendEnd - suspendBegin).TotalMilliseconds:N1}), marked {roots}");
                }
                break;
        }
    }
}
