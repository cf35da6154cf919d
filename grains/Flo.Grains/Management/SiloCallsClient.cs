using Orleans.Runtime.Services;

namespace Flo.Grains.Management;

/// <summary>Reaches a given silo's <see cref="ISiloCallsService"/> (grain services are addressed by silo).</summary>
public sealed class SiloCallsClient(IServiceProvider services) : GrainServiceClient<ISiloCallsService>(services)
{
    /// <summary>Calls received by <paramref name="silo"/> since it started.</summary>
    public Task<long> CallsAsync(SiloAddress silo) => GetGrainService(silo).Calls();
}
