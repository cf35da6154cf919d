using Flo.Runtime.Hosting;
using Flo.Runtime.Placement;

namespace Flo.Runtime.Membership;

/// <summary>
/// One silo's view of the cluster at one membership table version: the rows, the active silos and the hash ring
/// over them that decides where each grain lives. Immutable; a newer table version makes a new view.
/// </summary>
public sealed class MembershipView
{
    /// <summary>The view before this silo has read the table.</summary>
    public static MembershipView Empty { get; } = new(null, -1, []);

    /// <summary>Builds a view.</summary>
    public MembershipView(SiloAddress? self, long version, IReadOnlyList<MembershipEntry> members)
    {
        Self = self;
        Version = version;
        Members = members;
        ActiveMembers = members.Where(m => m.Status == SiloStatus.Active).ToArray();
        Ring = new ConsistentHashRing(ActiveMembers.Select(m => m.Silo), version);
    }

    /// <summary>This silo's incarnation (null before it joined).</summary>
    public SiloAddress? Self { get; }

    /// <summary>The membership table version the view was read at.</summary>
    public long Version { get; }

    /// <summary>Every row of the table.</summary>
    public IReadOnlyList<MembershipEntry> Members { get; }

    /// <summary>Rows of silos that are Active.</summary>
    public IReadOnlyList<MembershipEntry> ActiveMembers { get; }

    /// <summary>The ring over the active silos.</summary>
    public ConsistentHashRing Ring { get; }

    /// <summary>The silo that owns (activates) the grain in this view, or null when no silo is active.</summary>
    public SiloAddress? OwnerOf(GrainId grainId) => Ring.Owner(grainId.GetUniformHashCode());

    /// <summary>Whether this silo owns the grain in this view.</summary>
    public bool IsLocal(GrainId grainId) => Self is not null && OwnerOf(grainId) is { } owner && owner.Equals(Self);

    /// <summary>The row of a silo, if the table has it.</summary>
    public MembershipEntry? Find(SiloAddress silo)
    {
        foreach (var m in Members)
        {
            if (m.Silo.Equals(silo))
            {
                return m;
            }
        }
        return null;
    }
}
