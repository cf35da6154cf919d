namespace Flo.Runtime.Hosting;

/// <summary>
/// Where a silo is in its life. Requests are served only while <see cref="SiloStatus.Active"/>. Values are frozen:
/// they are stored in the membership table.
/// </summary>
public enum SiloStatus
{
    /// <summary>Starting up.</summary>
    Joining = 1,
    /// <summary>Serving.</summary>
    Active = 2,
    /// <summary>Stopping: deactivating its grains.</summary>
    ShuttingDown = 3,
    /// <summary>Stopped, or declared dead by the cluster; this incarnation never comes back.</summary>
    Dead = 4,
}

/// <summary>The silo's identity and current status.</summary>
public sealed class SiloDetails
{
    private readonly TaskCompletionSource active = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Membership.SiloAddress, byte> ignoredProbers = new();
    private volatile SiloStatus status = SiloStatus.Joining;

    /// <summary>Creates the details.</summary>
    public SiloDetails(string name) => Name = name;

    /// <summary>Silo name (unique in the cluster).</summary>
    public string Name { get; }

    /// <summary>This incarnation's address in the membership table; null until the silo inserted its row.</summary>
    public Membership.SiloAddress? Address { get; internal set; }

    /// <summary>Current status.</summary>
    public SiloStatus Status => status;

    /// <summary>Completes when the silo becomes active.</summary>
    public Task WhenActive => active.Task;

    /// <summary>Whether requests are being served.</summary>
    public bool IsActive => status == SiloStatus.Active && !IsKilled;

    /// <summary>
    /// Set by tests to simulate a crash: the host then stops without the lifecycle's graceful steps (no grain
    /// deactivation, no state written at shutdown, the membership row left as it was).
    /// </summary>
    public bool IsKilled { get; private set; }

    /// <summary>
    /// Silos whose probes this silo leaves unanswered: a test hook that simulates a broken network link between two
    /// silos (the rest of the cluster still reaches both).
    /// </summary>
    public void IgnoreProbesFrom(Membership.SiloAddress silo) => ignoredProbers[silo] = 0;

    /// <summary>Undoes <see cref="IgnoreProbesFrom"/>.</summary>
    public void AnswerProbesFrom(Membership.SiloAddress silo) => ignoredProbers.TryRemove(silo, out _);

    internal bool IgnoresProbesFrom(Membership.SiloAddress? silo) => silo is not null && !ignoredProbers.IsEmpty && ignoredProbers.ContainsKey(silo);

    /// <summary>Marks the silo as crashed; see <see cref="IsKilled"/>.</summary>
    public void Kill() => IsKilled = true;

    internal void SetStatus(SiloStatus value)
    {
        status = value;
        if (value == SiloStatus.Active)
        {
            active.TrySetResult();
        }
        else if (value is SiloStatus.ShuttingDown or SiloStatus.Dead)
        {
            active.TrySetException(new SiloUnavailableException($"Silo {Name} is {value}."));
        }
    }
}
