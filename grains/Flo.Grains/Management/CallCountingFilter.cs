namespace Flo.Grains.Management;

/// <summary>
/// Counts every grain call a silo receives, for the management API's calls per second: one interlocked increment per
/// call. (Orleans' runtime statistics leave their message counters at zero; its metrics are meters, readable only
/// inside the process, so each silo counts for itself and answers through <see cref="SiloCallsService"/>.)
/// </summary>
internal sealed class CallCountingFilter(SiloCallCounter counter) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        counter.Count();
        return context.Invoke();
    }
}
