namespace Flo.GrainInterfaces.Diagnostics;

/// <summary>
/// The smallest useful grain: answers where it runs. Used by smoke checks and by the grain-call benchmarks.
/// </summary>
[Alias("flo.diagnostics.ping")]
public interface IPingGrain : IGrainWithStringKey
{
    /// <summary>Returns <paramref name="value"/> unchanged.</summary>
    [ReadOnly]
    Task<int> Ping(int value);

    /// <summary>Name of the silo hosting this activation.</summary>
    [ReadOnly]
    Task<string> Where();

    /// <summary>Calls another ping grain (a silo-internal call), for in-silo call benchmarks.</summary>
    Task<int> PingOther(string otherKey, int value);
}
