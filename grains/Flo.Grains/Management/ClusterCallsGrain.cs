using Flo.Management;

namespace Flo.Grains.Management;

/// <summary>Asks each silo's call-counting grain service in parallel; a silo that does not answer within a second reads -1.</summary>
[StatelessWorker]
[GrainType("cluster-calls")]
public sealed class ClusterCallsGrain(SiloCallsClient silos) : Grain, IClusterCallsGrain
{
    private static readonly TimeSpan PerSilo = TimeSpan.FromSeconds(1);

    /// <inheritdoc/>
    public async Task<long[]> Calls(SiloAddress[] addresses)
    {
        return await Task.WhenAll(addresses.Select(async silo =>
        {
            try
            {
                return await silos.CallsAsync(silo).WaitAsync(PerSilo);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or SiloUnavailableException)
            {
                // A silo leaving or overloaded: the overview shows no rate for it rather than failing.
                return -1L;
            }
        }));
    }
}
