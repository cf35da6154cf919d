using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>Listings and counts of the partition's runs (summaries kept until each run's retention ends).</summary>
public sealed partial class ActionDispatchGrain
{
    /// <inheritdoc/>
    public Task<RunSummary[]> List(RunFilter filter, long beforeSubmittedMs, string? beforeRunId, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ActionLimits.ValidateRange(limit, 1, ActionLimits.MaxBatch + 1, "Limit");
        Advance(Now);
        var page = entries.Values
            .Where(e => !creating.ContainsKey(e.Local) && (filter.Status is null || e.Status == filter.Status))
            .Where(e => e.SubmittedAtMs < beforeSubmittedMs
                || (e.SubmittedAtMs == beforeSubmittedMs && beforeRunId is not null && string.CompareOrdinal(e.RunId, beforeRunId) < 0))
            .OrderByDescending(e => e.SubmittedAtMs).ThenByDescending(e => e.RunId, StringComparer.Ordinal)
            .Take(limit)
            .Select(e => e.ToSummary() with { Action = action })
            .ToArray();
        return Task.FromResult(page);
    }

    /// <inheritdoc/>
    public Task<ActionStats> Stats()
    {
        var now = Now;
        Advance(now);
        long pending = 0, running = 0, retrying = 0, completed = 0, failed = 0, cancelled = 0, timedOut = 0, delayed = 0;
        foreach (var e in entries.Values)
        {
            switch (e.Status)
            {
                case RunStatus.Pending:
                    pending++;
                    delayed += e.VisibleAtMs > now ? 1 : 0;
                    break;
                case RunStatus.Running: running++; break;
                case RunStatus.Retrying: retrying++; break;
                case RunStatus.Completed: completed++; break;
                case RunStatus.Failed: failed++; break;
                case RunStatus.Cancelled: cancelled++; break;
                case RunStatus.TimedOut: timedOut++; break;
            }
        }
        return Task.FromResult(new ActionStats
        {
            Pending = pending, Running = running, Retrying = retrying, Completed = completed,
            Failed = failed, Cancelled = cancelled, TimedOut = timedOut, Delayed = delayed,
        });
    }
}
