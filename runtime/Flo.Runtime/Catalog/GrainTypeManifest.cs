using System.Reflection;
using Flo.Invocation;

namespace Flo.Runtime.Catalog;

/// <summary>
/// Which grain class serves each grain interface on this silo, built at start from the grain assemblies the silo
/// was given. Requests name an interface; the manifest turns it into a grain type.
/// </summary>
public sealed class GrainTypeManifest
{
    private readonly Dictionary<uint, GrainClassInfo> byInterface = [];
    private readonly Dictionary<uint, string> ambiguous = [];
    private readonly Dictionary<string, GrainClassInfo> byGrainType = new(StringComparer.Ordinal);

    /// <summary>Builds the manifest from assemblies containing generated grain classes.</summary>
    public GrainTypeManifest(IEnumerable<Assembly> grainAssemblies)
    {
        foreach (var assembly in grainAssemblies.Distinct())
        {
            foreach (var grainClass in GrainClassRegistry.FromAssembly(assembly))
            {
                Add(grainClass);
            }
        }
    }

    private void Add(GrainClassInfo grainClass)
    {
        if (byGrainType.TryGetValue(grainClass.GrainType, out var other) && other.ClassType != grainClass.ClassType)
        {
            throw new InvalidOperationException($"Grain classes {other.ClassType} and {grainClass.ClassType} both use grain type '{grainClass.GrainType}'.");
        }
        byGrainType[grainClass.GrainType] = grainClass;
        foreach (var iface in grainClass.Interfaces)
        {
            var info = GrainInterfaceRegistry.Get(iface);
            if (byInterface.TryGetValue(info.Id, out var existing) && existing.ClassType != grainClass.ClassType)
            {
                // A subclass inherits its base class's interfaces; the interface belongs to the base class, and the
                // subclass is reached through its own, more specific interface.
                if (existing.ClassType.IsAssignableFrom(grainClass.ClassType))
                {
                    continue;
                }
                if (!grainClass.ClassType.IsAssignableFrom(existing.ClassType))
                {
                    ambiguous[info.Id] = $"{existing.ClassType.Name} and {grainClass.ClassType.Name}";
                    continue;
                }
            }
            byInterface[info.Id] = grainClass;
        }
    }

    /// <summary>All grain classes.</summary>
    public IEnumerable<GrainClassInfo> GrainClasses => byGrainType.Values;

    /// <summary>Finds the grain class for an interface id.</summary>
    public bool TryResolve(uint interfaceId, out GrainClassInfo grainClass, out string error)
    {
        if (ambiguous.TryGetValue(interfaceId, out var which))
        {
            grainClass = null!;
            error = $"Grain interface {Describe(interfaceId)} is implemented by several grain classes ({which}).";
            return false;
        }
        if (byInterface.TryGetValue(interfaceId, out grainClass!))
        {
            error = "";
            return true;
        }
        error = $"No grain class on this silo implements grain interface {Describe(interfaceId)}.";
        return false;
    }

    /// <summary>Finds the grain class of a grain type.</summary>
    public bool TryResolveGrainType(string grainType, out GrainClassInfo grainClass, out string error)
    {
        if (byGrainType.TryGetValue(grainType, out grainClass!))
        {
            error = "";
            return true;
        }
        error = $"No grain class on this silo has grain type '{grainType}'.";
        return false;
    }

    private static string Describe(uint interfaceId)
        => GrainInterfaceRegistry.TryGet(interfaceId, out var info) ? info.Alias : $"id {interfaceId:x8}";
}
