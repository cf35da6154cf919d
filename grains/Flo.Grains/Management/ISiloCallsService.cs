using Orleans.Services;

namespace Flo.Grains.Management;

/// <summary>A silo's call count, answered by the silo itself (an Orleans grain service runs on every silo).</summary>
[Alias("flo.management.silo-calls-service")]
public interface ISiloCallsService : IGrainService
{
    /// <summary>Grain calls this silo has received since it started.</summary>
    [ReadOnly]
    Task<long> Calls();
}
