namespace Flo;

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReasonCode
{
    /// <summary>Not specified.</summary>
    None,
    /// <summary>Idle longer than the collection age.</summary>
    ActivationIdle,
    /// <summary>The grain asked (<see cref="Grain.DeactivateOnIdle"/>).</summary>
    ApplicationRequested,
    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,
    /// <summary>A state write found a stale ETag: another activation may own the grain.</summary>
    InconsistentState,
    /// <summary>Activation failed.</summary>
    ActivationFailed,
    /// <summary>The grain now belongs to another silo.</summary>
    Migrating,
}

/// <summary>Reason passed to <see cref="Grain.OnDeactivateAsync"/>.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode Code, string Description);

/// <summary>
/// Base class of grain implementations. The activation runs one request at a time (unless declared reentrant);
/// <see cref="OnActivateAsync"/> runs before the first request, after persistent state was read.
/// </summary>
public abstract class Grain
{
    /// <summary>Captures the context of the activation being created.</summary>
    protected Grain()
    {
        GrainContext = GrainContextScope.Current
            ?? throw new InvalidOperationException("Grains are created by the runtime; do not construct them with new.");
    }

    /// <summary>The activation's context.</summary>
    public IGrainContext GrainContext { get; }

    /// <summary>The grain's identity.</summary>
    public GrainId GrainId => GrainContext.GrainId;

    /// <summary>A factory for calling other grains from this one.</summary>
    protected IGrainFactory GrainFactory => GrainContext.GrainFactory;

    /// <summary>The silo's services.</summary>
    protected IServiceProvider ServiceProvider => GrainContext.Services;

    /// <summary>Runs when the activation is created, before its first request.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs when the activation is being collected or the silo stops.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The string key.</summary>
    public string GetPrimaryKeyString() => GrainId.Key;

    /// <summary>The Guid key.</summary>
    public Guid GetPrimaryKey() => Guid.ParseExact(GrainId.Key, "N");

    /// <summary>The integer key.</summary>
    public long GetPrimaryKeyLong() => long.Parse(GrainId.Key, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Deactivates once the current request completes.</summary>
    protected void DeactivateOnIdle() => GrainContext.DeactivateOnIdle();

    /// <summary>Keeps the activation alive at least this long.</summary>
    protected void DelayDeactivation(TimeSpan duration) => GrainContext.DelayDeactivation(duration);

    /// <summary>Registers an in-memory timer; each tick is a turn of this activation (it does not interleave unless asked).</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
        => GrainContext.RegisterTimer(callback, new GrainTimerCreationOptions(dueTime, period));

    /// <summary>
    /// Registers (or replaces) a durable reminder: <see cref="IRemindable.ReceiveReminder"/> is called first after
    /// <paramref name="dueTime"/>, then every <paramref name="period"/>, on whichever silo hosts the grain, even after
    /// the grain deactivated or the whole cluster restarted. The grain must implement <see cref="IRemindable"/>.
    /// </summary>
    protected Task RegisterOrUpdateReminderAsync(string name, TimeSpan dueTime, TimeSpan period, MissedTickPolicy policy = MissedTickPolicy.FireOnce)
        => Reminders().RegisterAsync(GrainId, name, dueTime, period, policy);

    /// <summary>Registers (or replaces) a durable cron reminder (<c>"*/5 * * * *"</c>; 6 fields with seconds), UTC unless a time zone is given.</summary>
    protected Task RegisterOrUpdateCronReminderAsync(string name, string cron, TimeZoneInfo? timeZone = null, MissedTickPolicy policy = MissedTickPolicy.FireOnce)
        => Reminders().RegisterCronAsync(GrainId, name, cron, timeZone, policy);

    /// <summary>Removes a reminder; false when it did not exist.</summary>
    protected Task<bool> UnregisterReminderAsync(string name) => Reminders().UnregisterAsync(GrainId, name);

    /// <summary>This grain's reminders.</summary>
    protected Task<IReadOnlyList<ReminderInfo>> GetRemindersAsync() => Reminders().ListAsync(GrainId);

    private IReminderRegistry Reminders()
    {
        if (this is not IRemindable)
        {
            throw new InvalidOperationException($"Grain {GrainId} registers a reminder but {GetType().Name} does not implement IRemindable.");
        }
        return (IReminderRegistry?)ServiceProvider.GetService(typeof(IReminderRegistry))
            ?? throw new InvalidOperationException("This silo has no reminder service.");
    }

    /// <summary>Registers an in-memory timer with full options.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
        => GrainContext.RegisterTimer(callback, options);
}
