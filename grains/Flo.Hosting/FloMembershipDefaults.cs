using Orleans.Configuration;

namespace Flo.Hosting;

/// <summary>
/// Membership timings chosen so that after <c>kill -9</c> of a silo the others declare it dead, and its grains answer
/// elsewhere, within about 5 s (stock Orleans: probes time out after 5 s, three misses, so 15 s or more). Each can be
/// overridden under <c>Cluster:Membership</c> with Orleans' option names.
/// </summary>
public static class FloMembershipDefaults
{
    /// <summary>Applies the defaults (before configuration is bound over them).</summary>
    public static void Apply(ClusterMembershipOptions o)
    {
        // A killed process refuses connections at once; a hung one misses probes: 3 × 1 s, then votes (2 of the
        // probing silos) declare it dead. Probing more silos than the stock 10 buys nothing at our sizes.
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 3;
        o.NumVotesForDeathDeclaration = 2;
        o.NumProbedSilos = 3;
        // Silos and gateways re-read the table often, so a dead silo leaves every view (and the gateway lists that
        // clients refresh) quickly even if gossip was lost.
        o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
    }
}
