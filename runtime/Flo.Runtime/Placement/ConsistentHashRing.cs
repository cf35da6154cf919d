using Flo.Runtime.Membership;

namespace Flo.Runtime.Placement;

/// <summary>
/// The ring that decides which active silo owns each grain id (Orleans' distributed directory partitioning): every
/// silo places <see cref="VirtualNodesPerSilo"/> points on a 32-bit ring by a stable hash of its address, and a grain
/// belongs to the first point at or after the grain id's hash. Virtual nodes even out the spread, and a silo joining
/// or leaving moves only the ranges next to its own points. Immutable: a membership change builds a new ring.
/// </summary>
public sealed class ConsistentHashRing
{
    /// <summary>
    /// Points per silo. A silo's share varies by about 1/sqrt(points) of the fair share: Orleans' 30 left one silo
    /// with 37 % of 100,000 ids in our three-silo test; 1,024 keeps each within a few per cent, for the cost of a
    /// ten-step binary search per lookup and a few thousand hashes per membership change.
    /// </summary>
    public const int VirtualNodesPerSilo = 1024;

    private readonly uint[] points;
    private readonly SiloAddress[] owners;

    /// <summary>Builds the ring over the given silos (order does not matter).</summary>
    public ConsistentHashRing(IEnumerable<SiloAddress> silos, long membershipVersion = 0)
    {
        MembershipVersion = membershipVersion;
        Silos = silos.Distinct().OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        var ring = new List<(uint Point, SiloAddress Silo)>(Silos.Count * VirtualNodesPerSilo);
        foreach (var silo in Silos)
        {
            var name = silo.ToString();
            for (var i = 0; i < VirtualNodesPerSilo; i++)
            {
                ring.Add((StableHash.Of(name, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), silo));
            }
        }
        // Ties (astronomically rare) are broken by silo name so every silo builds the same ring.
        ring.Sort((a, b) => a.Point != b.Point ? a.Point.CompareTo(b.Point) : string.CompareOrdinal(a.Silo.ToString(), b.Silo.ToString()));
        points = ring.Select(r => r.Point).ToArray();
        owners = ring.Select(r => r.Silo).ToArray();
    }

    /// <summary>The membership version this ring was built from.</summary>
    public long MembershipVersion { get; }

    /// <summary>The silos on the ring.</summary>
    public IReadOnlyList<SiloAddress> Silos { get; }

    /// <summary>The silo that owns the grain, or null when the ring is empty.</summary>
    public SiloAddress? Owner(GrainId grainId) => Owner(grainId.GetUniformHashCode());

    /// <summary>The silo that owns a hash.</summary>
    public SiloAddress? Owner(uint hash)
    {
        if (points.Length == 0)
        {
            return null;
        }
        var index = Array.BinarySearch(points, hash);
        if (index < 0)
        {
            index = ~index;
        }
        return owners[index == points.Length ? 0 : index];
    }
}
