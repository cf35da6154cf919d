namespace Flo.Storage;

/// <summary>
/// Marks a grain constructor parameter of type <see cref="IStateWithRecords{TState}"/>: the state named
/// <see cref="StateName"/> in the grain storage named <see cref="StorageName"/> (which must be an
/// <see cref="IRecordGrainStorage"/>), read when the grain activates.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class StateWithRecordsAttribute(string stateName, string? storageName = null) : Attribute, IFacetMetadata
{
    /// <summary>The state's name within the grain.</summary>
    public string StateName { get; } = stateName;

    /// <summary>The storage provider's name; null: the default grain storage.</summary>
    public string? StorageName { get; } = storageName;
}
