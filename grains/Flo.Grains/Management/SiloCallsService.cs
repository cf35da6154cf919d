using Microsoft.Extensions.Logging;

namespace Flo.Grains.Management;

/// <summary>The grain service behind <see cref="ISiloCallsService"/>: reads this silo's <see cref="SiloCallCounter"/>.</summary>
[Reentrant]
public sealed class SiloCallsService(GrainId grainId, Silo silo, ILoggerFactory loggers, SiloCallCounter counter)
    : GrainService(grainId, silo, loggers), ISiloCallsService
{
    /// <inheritdoc/>
    public Task<long> Calls() => Task.FromResult(counter.Calls);
}
