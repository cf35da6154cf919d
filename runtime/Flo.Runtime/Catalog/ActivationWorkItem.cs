using Flo.Messaging;

namespace Flo.Runtime.Catalog;

/// <summary>Something an activation runs as a turn: a grain request or a timer tick.</summary>
internal abstract class ActivationWorkItem
{
    /// <summary>May run alongside anything ([AlwaysInterleave], interleaving timers).</summary>
    public abstract bool AlwaysInterleave { get; }

    /// <summary>May run alongside other read-only items.</summary>
    public abstract bool IsReadOnly { get; }

    /// <summary>Counts as activity for idle collection.</summary>
    public virtual bool KeepsAlive => true;

    /// <summary>Environment.TickCount64 after which a still-queued item is dropped with a timeout; long.MaxValue for never.</summary>
    public long Deadline { get; init; } = long.MaxValue;

    /// <summary>The activation the item was started on (set when it starts; carried here so starting allocates no state).</summary>
    public ActivationData? Owner { get; set; }

    /// <summary>When the item started running (Environment.TickCount64).</summary>
    public long StartedAt { get; set; }

    /// <summary>Short description for diagnostics, e.g. <c>ICounterGrain.Add</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Runs the item on the activation's scheduler; must call <see cref="ActivationData.OnWorkItemCompleted"/> at the end.</summary>
    public abstract Task RunAsync(ActivationData activation);

    /// <summary>Fails the item without running it.</summary>
    public abstract void Reject(ResponseStatus status, Exception error);
}
