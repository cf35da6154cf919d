using System.Collections.Concurrent;
using Flo.Invocation;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Catalog;

/// <summary>
/// The activations of one silo, keyed by grain id (Orleans' Catalog + ActivationDirectory): creates an activation on
/// the first request, redelivers requests that raced a deactivation, expires requests that waited past their
/// deadline, and collects activations idle longer than the collection age.
/// </summary>
internal sealed partial class Catalog : IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> activations = new();
    private readonly ConcurrentDictionary<ActivationData, byte> withWaiting = new();
    private readonly ILogger logger;
    private readonly TimeSpan collectionAge;
    private Timer? expirySweep;
    private Timer? collector;

    public Catalog(ILogger<Catalog> logger, TimeSpan collectionAge)
    {
        this.logger = logger;
        this.collectionAge = collectionAge;
    }

    /// <summary>Set once at silo construction (activations and the catalog refer to each other).</summary>
    public ActivationServices Services { get; set; } = null!;

    /// <summary>Set once at silo construction: where requests go when their grain moved to another silo.</summary>
    public Messaging.Dispatcher? Dispatcher { get; set; }

    /// <summary>Set once at silo construction: the membership view that decides which grains this silo owns.</summary>
    public Membership.IClusterMembership? Membership { get; set; }

    public int Count => activations.Count;

    public IEnumerable<ActivationData> Activations => activations.Values;

    public void Start(TimeSpan collectionQuantum)
    {
        expirySweep = new Timer(static s => ((Catalog)s!).ExpireWaiting(), this, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        collector = new Timer(static s => ((Catalog)s!).CollectIdle(), this, collectionQuantum, collectionQuantum);
    }

    /// <summary>
    /// Hands a work item to the grain's activation, creating it if needed and <paramref name="mayCreate"/> (this silo
    /// owns the grain); otherwise an item whose activation is gone is routed to the grain's owner.
    /// </summary>
    public void Deliver(GrainId grainId, GrainClassInfo grainClass, ActivationWorkItem item, bool mayCreate = true)
    {
        ActivationData? activation;
        if (mayCreate)
        {
            activation = GetOrCreate(grainId, grainClass);
        }
        else if (!activations.TryGetValue(grainId, out activation))
        {
            Redeliver(grainId, grainClass, item);
            return;
        }
        if (!activation.TryEnqueue(item))
        {
            _ = DeliverAfterDeactivationAsync(activation, grainClass, item);
        }
    }

    private async Task DeliverAfterDeactivationAsync(ActivationData old, GrainClassInfo grainClass, ActivationWorkItem item)
    {
        await old.Deactivated.ConfigureAwait(false);
        Redeliver(old.GrainId, grainClass, item);
    }

    /// <summary>
    /// Delivers an item that was queued on an activation that has now gone: to a new local activation, or, when the
    /// grain moved to another silo meanwhile, through the dispatcher to its new owner.
    /// </summary>
    public void Redeliver(GrainId grainId, GrainClassInfo grainClass, ActivationWorkItem item)
    {
        if (Membership?.CurrentView is not { Self: not null } view || view.IsLocal(grainId))
        {
            Deliver(grainId, grainClass, item);
        }
        else if (item is RequestWorkItem request && Dispatcher is { } dispatcher)
        {
            dispatcher.Route(request.Message, request.Sink, grainId, grainClass, refreshed: true);
        }
        else
        {
            // Timer ticks and the like belong to the activation that is gone; the grain's new home has its own.
            item.Reject(Flo.Messaging.ResponseStatus.Unavailable, new SiloUnavailableException($"Grain {grainId} moved to another silo."));
        }
    }

    /// <summary>
    /// A new membership view: grains this silo no longer owns deactivate (their queued requests follow them to the
    /// new owner, which reactivates them from storage).
    /// </summary>
    public void OnViewChanged(Membership.MembershipView view)
    {
        if (view.Self is null)
        {
            return;
        }
        var moved = 0;
        foreach (var activation in activations.Values)
        {
            if (!view.IsLocal(activation.GrainId))
            {
                var owner = view.OwnerOf(activation.GrainId);
                activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.Migrating,
                    owner is null ? "No active silo owns the grain." : $"The grain now belongs to silo {owner} (membership version {view.Version})."));
                moved++;
            }
        }
        if (moved > 0)
        {
            LogMoving(logger, moved, view.Version);
        }
    }

    private ActivationData GetOrCreate(GrainId grainId, GrainClassInfo grainClass)
    {
        while (true)
        {
            if (activations.TryGetValue(grainId, out var existing))
            {
                return existing;
            }
            var created = new ActivationData(grainId, grainClass, Services);
            if (activations.TryAdd(grainId, created))
            {
                created.StartActivation();
                return created;
            }
        }
    }

    public bool TryGet(GrainId grainId, out ActivationData activation) => activations.TryGetValue(grainId, out activation!);

    public void OnActivated(ActivationData activation) => LogActivated(logger, activation.GrainId);

    public void Remove(ActivationData activation)
    {
        activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));
        withWaiting.TryRemove(activation, out _);
    }

    public void TrackWaiting(ActivationData activation) => withWaiting.TryAdd(activation, 0);

    private void ExpireWaiting()
    {
        var now = Environment.TickCount64;
        foreach (var activation in withWaiting.Keys)
        {
            if (!activation.ExpireWaiting(now))
            {
                withWaiting.TryRemove(activation, out _);
                // An item may have arrived between the check and the removal; keep tracking it then.
                if (activation.ExpireWaiting(now))
                {
                    withWaiting.TryAdd(activation, 0);
                }
            }
        }
    }

    private void CollectIdle()
    {
        var now = Environment.TickCount64;
        var collected = 0;
        foreach (var activation in activations.Values)
        {
            if (activation.IsIdle(now, collectionAge))
            {
                activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ActivationIdle, $"Idle for more than {collectionAge}."));
                collected++;
            }
        }
        if (collected > 0)
        {
            LogCollected(logger, collected);
        }
    }

    /// <summary>Deactivates every activation (silo shutdown), letting running requests finish.</summary>
    public async Task DeactivateAllAsync(TimeSpan timeout)
    {
        var reason = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is stopping.");
        var all = activations.Values.Select(a => a.DeactivateAsync(reason, waitForCompletion: true)).ToArray();
        try
        {
            await Task.WhenAll(all).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogShutdownTimeout(logger, activations.Count, timeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (expirySweep is not null)
        {
            await expirySweep.DisposeAsync().ConfigureAwait(false);
        }
        if (collector is not null)
        {
            await collector.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Activated {GrainId}")]
    private static partial void LogActivated(ILogger logger, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deactivating {Count} activations whose grains moved to other silos (membership version {Version})")]
    private static partial void LogMoving(ILogger logger, int count, long version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Collecting {Count} idle activations")]
    private static partial void LogCollected(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} activations did not deactivate within {Timeout}")]
    private static partial void LogShutdownTimeout(ILogger logger, int count, TimeSpan timeout);
}
