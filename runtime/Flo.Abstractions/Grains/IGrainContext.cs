namespace Flo;

/// <summary>What the runtime gives an activation: identity, services, timers, storage and lifecycle control.</summary>
public interface IGrainContext
{
    /// <summary>The grain's identity.</summary>
    GrainId GrainId { get; }

    /// <summary>The silo's service provider.</summary>
    IServiceProvider Services { get; }

    /// <summary>A grain factory whose calls carry this activation's call chain and trace context.</summary>
    IGrainFactory GrainFactory { get; }

    /// <summary>Name of the silo hosting this activation (for diagnostics).</summary>
    string SiloName { get; }

    /// <summary>Registers an in-memory timer whose ticks run as turns of this activation.</summary>
    IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options);

    /// <summary>
    /// Canceled when the activation is asked to deactivate (idle, moving to another silo, silo stopping). Long waits
    /// inside [AlwaysInterleave] calls (a blocking get) should end on it, so the deactivation does not wait for them
    /// and their callers can ask again wherever the grain lives next.
    /// </summary>
    CancellationToken DeactivationRequested { get; }

    /// <summary>Deactivates the activation once the current request completes.</summary>
    void DeactivateOnIdle();

    /// <summary>Keeps the activation from being collected for at least this long.</summary>
    void DelayDeactivation(TimeSpan duration);

    /// <summary>Binds a persistent state to this activation (normally done by the <see cref="PersistentStateAttribute"/> constructor parameter).</summary>
    IPersistentState<TState> GetPersistentState<TState>(string stateName, string? storageName = null) where TState : new();
}

/// <summary>Holds the context of the activation under construction, so <see cref="Grain"/>'s constructor can capture it (as Orleans does).</summary>
public static class GrainContextScope
{
    [ThreadStatic]
    private static IGrainContext? current;

    /// <summary>The context of the grain being constructed on this thread, if any.</summary>
    public static IGrainContext? Current => current;

    /// <summary>Sets the context for the duration of a grain's construction.</summary>
    public static Scope Enter(IGrainContext context)
    {
        var previous = current;
        current = context;
        return new Scope(previous);
    }

    /// <summary>Restores the previous context.</summary>
    public readonly struct Scope(IGrainContext? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => current = previous;
    }
}
