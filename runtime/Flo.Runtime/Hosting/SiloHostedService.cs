using Flo.Runtime.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Hosting;

/// <summary>
/// Drives the silo lifecycle from the Generic Host's start and stop. The silo stops in <see cref="StoppingAsync"/>,
/// before Kestrel stops: while the silo hands its grains off, its gateway and silo ports still carry the requests
/// that are finishing or being forwarded to the grains' new owners.
/// </summary>
internal sealed partial class SiloHostedService(
    IEnumerable<ILifecycleParticipant<ISiloLifecycle>> participants,
    SiloDetails silo,
    SiloRuntime runtime,
    IOptions<EndpointOptions> endpoints,
    IOptions<SiloOptions> siloOptions,
    ILoggerFactory loggerFactory) : IHostedLifecycleService
{
    private readonly SiloLifecycle lifecycle = new(loggerFactory.CreateLogger<SiloLifecycle>());
    private readonly ILogger logger = loggerFactory.CreateLogger<SiloHostedService>();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var e = endpoints.Value;
        LogStarting(logger, silo.Name, siloOptions.Value.ClusterId, e.ListenAddress, e.GatewayPort, e.HttpPort);
        foreach (var participant in participants)
        {
            participant.Participate(lifecycle);
        }
        await lifecycle.StartAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(logger, silo.Name);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        LogStopping(logger, silo.Name);
        if (silo.IsKilled)
        {
            // A simulated crash: nothing graceful happens, as when the process dies.
            return;
        }
        await lifecycle.StopAsync(cancellationToken).ConfigureAwait(false);
        silo.SetStatus(SiloStatus.Dead);
        await runtime.DrainAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting silo {Silo} of cluster {ClusterId} on {Address}: gateway {GatewayPort}, HTTP {HttpPort}")]
    private static partial void LogStarting(ILogger logger, string silo, string clusterId, string address, int gatewayPort, int httpPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} is active")]
    private static partial void LogStarted(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping silo {Silo}")]
    private static partial void LogStopping(ILogger logger, string silo);
}
