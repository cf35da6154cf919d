using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// A namespace's run event hub: events published by runs are buffered for a few milliseconds and pushed to every
/// subscribed observer as one batch, so a busy namespace costs observers one call per batch, not per event.
/// Subscriptions live in memory and lapse unless renewed (watchers renew every few seconds), so a hub that moved to
/// another silo is found again by its watchers' next renewal. Every event is also counted per minute for the
/// management API's throughput (in memory too: an observation, not a record).
/// </summary>
[Reentrant]
[GrainType("action-events")]
public sealed class ActionEventsGrain(TimeProvider time) : Grain, IActionEventsGrain
{
    private static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(20);
    private const int MaxBuffered = 10_000;

    private readonly Dictionary<IActionEventObserver, Subscription> observers = [];
    private readonly List<ActionEvent> buffer = [];
    private readonly ThroughputWindow throughput = new();
    private IGrainTimer? flush;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public Task Subscribe(IActionEventObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (observers.TryGetValue(observer, out var subscription))
        {
            subscription.Until = Now + IActionEventsGrain.SubscriptionLifetimeMs;
        }
        else
        {
            observers[observer] = new Subscription { Until = Now + IActionEventsGrain.SubscriptionLifetimeMs };
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task Unsubscribe(IActionEventObserver observer)
    {
        observers.Remove(observer);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task Publish(ActionEvent[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var now = Now;
        foreach (var e in events)
        {
            throughput.Count(e.Kind, now);
            // Nobody watches (or watchers cannot keep up): events are not stored, so dropping is the contract.
            if (observers.Count > 0 && buffer.Count < MaxBuffered)
            {
                buffer.Add(e);
            }
        }
        if (buffer.Count > 0)
        {
            flush ??= this.RegisterGrainTimer(Flush, FlushDelay, Timeout.InfiniteTimeSpan);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<RunThroughput[]> Throughput(int minutes)
    {
        if (minutes is < 1 or > ThroughputWindow.Minutes)
        {
            throw new ActionArgumentException($"Minutes must be between 1 and {ThroughputWindow.Minutes}; got {minutes}.");
        }
        return Task.FromResult(throughput.Last(minutes, Now));
    }

    private Task Flush(CancellationToken cancellationToken)
    {
        flush?.Dispose();
        flush = null;
        if (buffer.Count == 0)
        {
            return Task.CompletedTask;
        }
        var batch = buffer.ToArray();
        buffer.Clear();
        var now = Now;
        foreach (var (observer, subscription) in observers.ToList())
        {
            if (subscription.Until < now)
            {
                observers.Remove(observer);
                continue;
            }
            // An observer's next batch goes after its previous one was taken: in order, and a slow watcher holds
            // only itself up.
            subscription.Sending = SendAfterAsync(subscription.Sending, observer, batch);
        }
        return Task.CompletedTask;
    }

    private async Task SendAfterAsync(Task previous, IActionEventObserver observer, ActionEvent[] batch)
    {
        await previous;
        try
        {
            await observer.OnEvents(batch);
        }
        catch (Exception)
        {
            // Gone (process ended, connection lost): it subscribes again if it is still watching.
            observers.Remove(observer);
        }
    }

    /// <summary>One observer's subscription: until when it lasts, and its last batch in flight.</summary>
    private sealed class Subscription
    {
        public long Until { get; set; }

        public Task Sending { get; set; } = Task.CompletedTask;
    }
}
