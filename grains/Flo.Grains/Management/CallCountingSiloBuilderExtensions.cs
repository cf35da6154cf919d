using Microsoft.Extensions.DependencyInjection;

namespace Flo.Grains.Management;

/// <summary>Registers the per-silo call counting behind the management API's calls per second.</summary>
public static class CallCountingSiloBuilderExtensions
{
    /// <summary>Adds the counter, the incoming call filter that feeds it, and the grain service that reports it.</summary>
    public static ISiloBuilder AddFloCallCounting(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<SiloCallCounter>();
        silo.Services.AddSingleton<SiloCallsClient>();
        silo.AddIncomingGrainCallFilter<CallCountingFilter>();
        silo.AddGrainService<SiloCallsService>();
        return silo;
    }
}
