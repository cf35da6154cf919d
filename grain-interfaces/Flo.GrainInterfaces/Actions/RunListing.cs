namespace Flo.Actions;

/// <summary>Which runs a listing returns.</summary>
/// <param name="Status">Only runs in this status (null: all).</param>
/// <param name="Action">Only runs of this action (null: every registered action).</param>
[GenerateSerializer]
[Alias("flo.action.run-filter")]
public sealed record RunFilter([property: Id(0)] RunStatus? Status = null, [property: Id(1)] string? Action = null);

/// <summary>One page of a run listing, newest first.</summary>
/// <param name="Runs">The runs.</param>
/// <param name="NextCursor">Pass as the next page's cursor; null when this was the last page.</param>
public sealed record RunPage(IReadOnlyList<RunSummary> Runs, string? NextCursor);

/// <summary>Run counts of one action (or summed over several).</summary>
[GenerateSerializer]
[Alias("flo.action.stats")]
public sealed record ActionStats
{
    [Id(0)] public long Pending { get; init; }
    [Id(1)] public long Running { get; init; }
    [Id(2)] public long Retrying { get; init; }
    [Id(3)] public long Completed { get; init; }
    [Id(4)] public long Failed { get; init; }
    [Id(5)] public long Cancelled { get; init; }
    [Id(6)] public long TimedOut { get; init; }

    /// <summary>Of the pending ones, those waiting for a delay.</summary>
    [Id(7)] public long Delayed { get; init; }

    /// <summary>Sum of two.</summary>
    public ActionStats Add(ActionStats o) => new()
    {
        Pending = Pending + o.Pending, Running = Running + o.Running, Retrying = Retrying + o.Retrying,
        Completed = Completed + o.Completed, Failed = Failed + o.Failed, Cancelled = Cancelled + o.Cancelled,
        TimedOut = TimedOut + o.TimedOut, Delayed = Delayed + o.Delayed,
    };
}
