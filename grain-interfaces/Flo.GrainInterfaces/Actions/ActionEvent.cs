namespace Flo.Actions;

/// <summary>What happened to a run.</summary>
public enum ActionEventKind
{
    /// <summary>Invoked.</summary>
    Created = 0,
    /// <summary>An attempt started on a worker.</summary>
    Started = 1,
    /// <summary>An attempt failed or timed out; another follows after the retry delay.</summary>
    Retrying = 2,
    /// <summary>Finished with a result.</summary>
    Completed = 3,
    /// <summary>Finished failed (no retry left).</summary>
    Failed = 4,
    /// <summary>Cancelled.</summary>
    Cancelled = 5,
    /// <summary>Finished timed out (no retry left).</summary>
    TimedOut = 6,
    /// <summary>Handed back by a stopping worker; pending again.</summary>
    Released = 7,
    /// <summary>A schedule was created (<see cref="ActionEvent.ScheduleId"/>).</summary>
    ScheduleCreated = 10,
    /// <summary>A schedule was enabled.</summary>
    ScheduleEnabled = 11,
    /// <summary>A schedule was disabled.</summary>
    ScheduleDisabled = 12,
    /// <summary>A schedule was deleted.</summary>
    ScheduleDeleted = 13,
    /// <summary>A schedule fired: <see cref="ActionEvent.RunId"/> is the run it invoked.</summary>
    ScheduleFired = 14,
}

/// <summary>A run state change, published to the namespace's event hub (<see cref="IActionEventsGrain"/>).</summary>
[GenerateSerializer]
[Alias("flo.action.event")]
public sealed record ActionEvent
{
    [Id(0)] public ActionEventKind Kind { get; init; }

    [Id(1)] public string Namespace { get; init; } = "";

    [Id(2)] public string Action { get; init; } = "";

    [Id(3)] public string RunId { get; init; } = "";

    /// <summary>The run's status after the change.</summary>
    [Id(4)] public RunStatus Status { get; init; }

    /// <summary>The attempt concerned (0 for Created).</summary>
    [Id(5)] public int Attempt { get; init; }

    /// <summary>When it happened (Unix ms).</summary>
    [Id(6)] public long AtMs { get; init; }

    /// <summary>The worker concerned, if any.</summary>
    [Id(7)] public string? WorkerId { get; init; }

    /// <summary>The error, for failures and timeouts.</summary>
    [Id(8)] public string? Error { get; init; }

    /// <summary>The schedule concerned (schedule events).</summary>
    [Id(9)] public string? ScheduleId { get; init; }
}

/// <summary>Receives a namespace's run events (a client's or a silo's observer, see <see cref="IActionEventsGrain"/>).</summary>
public interface IActionEventObserver : IGrainObserver
{
    /// <summary>Events in the order the hub received them (the hub sends an observer's next batch after this returns).</summary>
    Task OnEvents(ActionEvent[] events);
}

/// <summary>
/// A namespace's run event hub (grain key: the namespace): runs publish their state changes to it and it pushes them,
/// in batches, to the observers subscribed. Events are for watching (dashboards, <c>WatchAsync</c>); they are not
/// stored, so a watcher that was away reads runs for their state. A subscription lapses unless renewed within
/// <see cref="SubscriptionLifetimeMs"/>, so observers of a process that died are dropped.
/// </summary>
[Alias("flo.action.events")]
public interface IActionEventsGrain : IGrainWithStringKey
{
    /// <summary>How long a subscription lasts without renewal.</summary>
    public const int SubscriptionLifetimeMs = 30_000;

    /// <summary>Subscribes (or renews) an observer.</summary>
    Task Subscribe(IActionEventObserver observer);

    /// <summary>Removes an observer.</summary>
    Task Unsubscribe(IActionEventObserver observer);

    /// <summary>
    /// Buffers events for the observers, in order, and returns at once (a run never waits for watchers). Each silo sends
    /// its events in batches, one call in flight, in the order they were published, so a run's events reach the hub,
    /// and every observer, in order.
    /// </summary>
    Task Publish(ActionEvent[] events);

    /// <summary>
    /// Run events per minute over the last <paramref name="minutes"/> minutes (1-60), oldest first, the current minute
    /// last. Counted in memory as events pass, watched or not: a hub that moved to another silo starts counting afresh.
    /// </summary>
    [ReadOnly]
    Task<RunThroughput[]> Throughput(int minutes);
}
