using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Flo.Invocation;

/// <summary>
/// Grain interfaces known to this process, registered by generated module initializers.
/// Lookups by C# type are cached per type in <see cref="GrainInterface{T}"/>; lookups by id serve incoming requests.
/// </summary>
public static class GrainInterfaceRegistry
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceInfo> ByType = new();
    private static readonly ConcurrentDictionary<uint, GrainInterfaceInfo> ById = new();

    /// <summary>Registers an interface; fails if another interface has the same id.</summary>
    public static void Register(GrainInterfaceInfo info)
    {
        var existing = ById.GetOrAdd(info.Id, info);
        if (existing.InterfaceType != info.InterfaceType)
        {
            throw new InvalidOperationException($"Grain interfaces {existing.InterfaceType} and {info.InterfaceType} have the same id {info.Id:x8}; give one an [Alias].");
        }
        ByType[info.InterfaceType] = info;
    }

    /// <summary>Finds an interface by id.</summary>
    public static bool TryGet(uint id, out GrainInterfaceInfo info) => ById.TryGetValue(id, out info!);

    /// <summary>Finds an interface by C# type, running its assembly's module initializer if needed.</summary>
    public static GrainInterfaceInfo Get(Type interfaceType)
    {
        if (ByType.TryGetValue(interfaceType, out var info))
        {
            return info;
        }
        RuntimeHelpers.RunModuleConstructor(interfaceType.Module.ModuleHandle);
        return ByType.TryGetValue(interfaceType, out info)
            ? info
            : throw new GrainNotFoundException($"{interfaceType} is not a generated grain interface. Does its project reference Flo.CodeGenerator?");
    }

    /// <summary>All registered interfaces.</summary>
    public static IEnumerable<GrainInterfaceInfo> All => ById.Values;
}

/// <summary>Per-interface cache of its <see cref="GrainInterfaceInfo"/>.</summary>
public static class GrainInterface<T> where T : IAddressable
{
    /// <summary>The interface's info.</summary>
    public static readonly GrainInterfaceInfo Info = GrainInterfaceRegistry.Get(typeof(T));
}
