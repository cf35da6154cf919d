namespace Flo.Runtime.Membership;

/// <summary>Membership timings. Section <c>Cluster:Membership</c>. Defaults are Orleans' production values.</summary>
public sealed class MembershipOptions
{
    /// <summary>How often a silo writes its I-am-alive heartbeat to the table. Default 30 s.</summary>
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Dead rows whose heartbeat is older than this are deleted. Default 7 days.</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = TimeSpan.FromDays(7);
}
