namespace Flo.Runtime.Membership;

/// <summary>
/// Membership timings. Section <c>Cluster:Membership</c>. Defaults are Orleans' production values; tests shorten
/// them (a probe timeout of a few hundred milliseconds detects a killed silo in about a second).
/// </summary>
public sealed class MembershipOptions
{
    /// <summary>How often a silo writes its I-am-alive heartbeat to the table. Default 30 s.</summary>
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the table is re-read even without gossip. Default 60 s.</summary>
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time between probe rounds. Default 5 s (Orleans probes once per probe timeout).</summary>
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a probe waits for its answer. Default 5 s. A dead process refuses the connection at once, so a
    /// killed silo is detected after <see cref="NumMissedProbesLimit"/> periods whatever this is; a longer timeout
    /// only spares a busy but healthy silo.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive missed probes after which a silo is suspected. Default 3.</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>How many other silos each silo probes (its successors in address order). Default 3.</summary>
    public int NumProbedSilos { get; set; } = 3;

    /// <summary>
    /// Votes that declare a silo dead; with few active silos, half of them (rounded up) suffice, so two silos can
    /// still declare each other dead. Default 2.
    /// </summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>Votes older than this no longer count. Default 2 min.</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Before voting, ask another silo to probe the suspect, so one broken link does not kill a healthy silo. Default true.</summary>
    public bool UseIndirectProbes { get; set; } = true;

    /// <summary>
    /// How long a joining silo keeps trying to reach every active silo before it gives up starting (a silo that
    /// cannot talk to the cluster must not join it and start voting). Default 5 min, as Orleans.
    /// </summary>
    public TimeSpan MaxJoinAttemptTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Dead rows whose heartbeat is older than this are deleted. Default 7 days.</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = TimeSpan.FromDays(7);
}
