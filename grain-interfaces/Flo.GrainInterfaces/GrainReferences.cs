namespace Flo;

/// <summary>
/// Grain references for the hot paths (a KV key, a queue or stream partition per request). Orleans'
/// <c>GetGrain&lt;T&gt;(key)</c> works out the interface's <see cref="GrainInterfaceType"/> from its attributes on every
/// call, by reflection: profiled at 4–9 % of a RESP GET or SET's CPU. Here it is worked out once per interface and the
/// reference is then made from the grain id, which is what Orleans does after that lookup.
/// </summary>
public static class GrainReferences
{
    /// <summary>The reference to the grain of <typeparamref name="TGrainInterface"/> with this key (as <c>GetGrain&lt;T&gt;(key)</c>).</summary>
    public static TGrainInterface GetGrainByKey<TGrainInterface>(this IGrainFactory factory, string key)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (Resolved<TGrainInterface>.Types is { } types)
        {
            return (TGrainInterface)factory.GetGrain(GrainId.Create(types.Grain, IdSpan.Create(key)), types.Interface);
        }
        var grain = factory.GetGrain<TGrainInterface>(key);
        // A "sys." type is Orleans' placeholder while the cluster's grain types are not known yet: asked again next time.
        if (grain is GrainReference reference && !reference.GrainId.Type.ToString()!.StartsWith(GrainTypePrefix.SystemPrefix, StringComparison.Ordinal))
        {
            Resolved<TGrainInterface>.Types = new ResolvedTypes(reference.GrainId.Type, reference.InterfaceType);
        }
        return grain;
    }

    private sealed record ResolvedTypes(GrainType Grain, GrainInterfaceType Interface);

    private static class Resolved<TGrainInterface>
    {
        // A reference swap: readers see either nothing or both types.
        public static volatile ResolvedTypes? Types;
    }
}
