namespace Flo.Management;

/// <summary>
/// Grain calls each silo has received since it started, read from every silo's call-counting grain service (a silo
/// answers for itself, so this grain runs wherever it is activated, as a stateless worker).
/// </summary>
[Alias("flo.management.cluster-calls")]
public interface IClusterCallsGrain : IGrainWithIntegerKey
{
    /// <summary>Calls received by each of <paramref name="silos"/> (-1 for a silo that did not answer), in the same order.</summary>
    [ReadOnly]
    Task<long[]> Calls(SiloAddress[] silos);
}
