namespace Flo;

/// <summary>Lets every request of this grain class interleave with others at await points.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ReentrantAttribute : Attribute { }

/// <summary>The interface method may interleave with any other request (e.g. a blocking wait or a cancel).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute { }

/// <summary>The interface method does not change state: read-only requests interleave with each other, never with writers.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute { }

/// <summary>
/// The interface method may safely run more than once for one call (e.g. it sets a value rather than adding to it):
/// a client resends it, on another gateway if needed, when its connection is lost while the call is pending.
/// Calls without this (or <see cref="ReadOnlyAttribute"/>) are resent only when they certainly never reached a grain.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute { }

/// <summary>The interface method is fire-and-forget: the caller does not wait for a response (method must return Task or ValueTask).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute { }

/// <summary>
/// A stable wire name for a grain interface or method, so renaming the C# symbol does not change its id
/// (the id is the FNV-1a hash of the alias).
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method | AttributeTargets.Class | AttributeTargets.Struct)]
public sealed class AliasAttribute(string alias) : Attribute
{
    /// <summary>The alias.</summary>
    public string Alias { get; } = alias;
}

/// <summary>The stable grain type name of a grain class (default: class name without a trailing "Grain", lower-cased).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GrainTypeAttribute(string grainType) : Attribute
{
    /// <summary>The grain type name.</summary>
    public string GrainType { get; } = grainType;
}

/// <summary>Asks the code generator for a version-tolerant binary serializer of this type.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum)]
public sealed class GenerateSerializerAttribute : Attribute { }

/// <summary>The stable field id of a serialized member. Never reuse an id for a different meaning.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class IdAttribute(uint id) : Attribute
{
    /// <summary>The field id.</summary>
    public uint Id { get; } = id;
}

/// <summary>Injects an <see cref="IPersistentState{TState}"/> into a grain constructor parameter.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    /// <summary>Name of the state within the grain.</summary>
    public string StateName { get; } = stateName;

    /// <summary>Name of the storage provider; null for the default one.</summary>
    public string? StorageName { get; } = storageName;
}
