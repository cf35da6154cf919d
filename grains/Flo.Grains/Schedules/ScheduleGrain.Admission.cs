using Flo.Grains.Diagnostics;
using Flo.Actions;

namespace Flo.Grains.Schedules;

/// <summary>
/// Admission: a schedule keeps at most one run that never started. A fire due while the previous run still waits for
/// a worker is held (nothing invoked or written) and a long poll on that run re-arms the timer when it starts.
/// </summary>
public sealed partial class ScheduleGrain
{
    // The previous run this schedule waits on (a long poll to its partition is out), and the last run known to have
    // started, which needs no asking again.
    private string? heldBehind;
    private string? knownStarted;

    /// <summary>
    /// Whether the previous run still waits for its first start; if so the fire is held and a long poll on that run
    /// is started (nothing changed or written: the due times that pass meanwhile are planned when it answers).
    /// </summary>
    private async Task<bool> PreviousRunWaitsAsync()
    {
        if (S.LastRunId is not { } previous || previous == knownStarted || S.LastRunAtMs == 0)
        {
            return false;
        }
        var key = KeyOf(S.LastRunAtMs);
        if (await Actions.WaitForFirstStartAsync(ns, S.Definition.Action, key, previous, 0))
        {
            knownStarted = previous;
            return false;
        }
        FloInstruments.ScheduleHeld.Add(1, new KeyValuePair<string, object?>("namespace", ns), new KeyValuePair<string, object?>("action", S.Definition.Action));
        heldBehind = previous;
        Disarm();
        _ = AwaitFirstStartAsync(S.Definition.Action, key, previous);
        return true;
    }

    /// <summary>
    /// The long poll of a held fire. Its continuation runs on this activation's scheduler between other calls' turns,
    /// so it only records the answer and arms the timer; the fire itself is the timer's turn.
    /// </summary>
    private async Task AwaitFirstStartAsync(string action, string key, string previous)
    {
        var started = false;
        try
        {
            started = await Actions.WaitForFirstStartAsync(ns, action, key, previous, GrainWaits.MaxWaitMs);
        }
        catch (Exception e)
        {
            // Asked again on the next tick.
            LogHoldFailed(logger, e, ns, id);
        }
        if (heldBehind != previous)
        {
            return;
        }
        heldBehind = null;
        if (started)
        {
            knownStarted = previous;
        }
        try
        {
            Arm();
        }
        catch (Exception e)
        {
            // Deactivated meanwhile: the reminder brings the schedule back.
            LogHoldFailed(logger, e, ns, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule {Namespace}/{Id}: waiting for the previous run's first start failed; asked again on the next tick")]
    private static partial void LogHoldFailed(ILogger logger, Exception error, string @namespace, string id);
}
