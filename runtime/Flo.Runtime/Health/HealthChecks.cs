using Flo.Runtime.Hosting;
using Flo.Runtime.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flo.Runtime.Health;

/// <summary>Ready when the silo is active (joined and serving).</summary>
internal sealed class SiloActiveHealthCheck(SiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(silo.IsActive
            ? HealthCheckResult.Healthy($"Silo {silo.Name} is active.")
            : HealthCheckResult.Unhealthy($"Silo {silo.Name} is {silo.Status}."));
}

/// <summary>Ready when the storage database answers.</summary>
internal sealed class StorageHealthCheck(IStorageBackend backend) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await backend.CheckHealthAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy(backend.Describe())
                : HealthCheckResult.Unhealthy("Storage is not reachable: " + backend.Describe());
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("Storage check failed: " + e.Message);
        }
    }
}
