namespace Flo;

/// <summary>Creates references to grains. Usable from grains (inject it or use <see cref="Grain.GrainFactory"/>) and from clients.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain with this string key. No message is sent until a method is called.</summary>
    TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;

    /// <summary>A reference to the grain with this Guid key.</summary>
    TGrainInterface GetGrain<TGrainInterface>(Guid key) where TGrainInterface : IGrainWithGuidKey;

    /// <summary>A reference to the grain with this integer key.</summary>
    TGrainInterface GetGrain<TGrainInterface>(long key) where TGrainInterface : IGrainWithIntegerKey;

    /// <summary>
    /// A reference to a grain named by its full identity, through an interface it implements. Use it when the
    /// interface alone does not decide the grain type (an interface such as <c>IRemindable</c> that many
    /// grain classes implement).
    /// </summary>
    TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IGrain;
}
