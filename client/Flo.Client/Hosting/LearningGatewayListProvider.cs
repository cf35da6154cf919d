using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace Flo.Hosting;

/// <summary>
/// The gateway list of a client given a few gateways (<c>FloClient.ConnectAsync("host:9000")</c>): those seeds at
/// first, then, at every refresh (<see cref="GatewayOptions.GatewayListRefreshPeriod"/>), the gateways of the silos
/// the cluster's membership listed as active when it was last asked, through the client's own connection. Orleans' static list never
/// changes, so a client whose one named gateway died never recovered; with this one it moves to the gateways it learned.
/// </summary>
/// <remarks>
/// The first list (asked for while the client connects) is the seeds: asking the cluster needs a connection, so the
/// cluster is asked in the background right after (every 500 ms until it answers). The list is always the seeds plus
/// the gateways last learned; when the cluster cannot be asked, the last list stays. Orleans asks for the list again
/// at once when it has no live gateway left, which is when the learned one matters.
/// </remarks>
internal sealed partial class LearningGatewayListProvider(
    IOptions<StaticGatewayListProviderOptions> seeds,
    IOptions<GatewayOptions> gatewayOptions,
    IServiceProvider services,
    ILogger<LearningGatewayListProvider> logger) : IGatewayListProvider
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);
    private IList<Uri>? current;
    private bool learned;
    private int calls;

    /// <inheritdoc/>
    public TimeSpan MaxStaleness => gatewayOptions.Value.GatewayListRefreshPeriod;

    /// <inheritdoc/>
    [Obsolete("Orleans considers every provider updatable.")]
    public bool IsUpdatable => true;

    /// <inheritdoc/>
    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<IList<Uri>> GetGateways()
    {
        current ??= seeds.Value.Gateways;
        if (Interlocked.Increment(ref calls) == 1)
        {
            // Asked while the client connects: answer the seeds, and learn the others as soon as it is connected, so
            // a client whose only named gateway dies soon after connecting still knows where else to go.
            _ = LearnSoonAsync();
        }
        else
        {
            // Answer at once with what is known (Orleans asks when it has lost its gateways, and asking the cluster
            // then may have to wait for a connection); what is learned now serves the next refresh.
            _ = LearnAsync();
        }
        return Task.FromResult(current);
    }

    private async Task LearnSoonAsync()
    {
        for (var attempt = 0; attempt < 60 && !learned; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            await LearnAsync().ConfigureAwait(false);
        }
    }

    private async Task LearnAsync()
    {
        try
        {
            var hosts = await services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0)
                .GetDetailedHosts(onlyActive: true).WaitAsync(AskTimeout).ConfigureAwait(false);
            var live = hosts.Where(h => h.ProxyPort > 0)
                .Select(h => new System.Net.IPEndPoint(h.SiloAddress.Endpoint.Address, h.ProxyPort).ToGatewayUri())
                .ToList();
            if (live.Count > 0)
            {
                // The seeds stay: they may be the only addresses this client can reach (a load balancer).
                current = [.. seeds.Value.Gateways.Union(live)];
                learned = true;
            }
        }
        catch (Exception e)
        {
            LogAskFailed(logger, e.GetType().Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not ask the cluster for its gateways ({ExceptionType}: {ExceptionMessage}); keeping the last list")]
    private static partial void LogAskFailed(ILogger logger, string exceptionType, string exceptionMessage);
}
