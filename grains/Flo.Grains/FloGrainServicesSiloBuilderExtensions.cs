using Flo.Grains.Actions;
using Flo.Grains.Kv;
using Flo.Kv;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flo.Grains;

/// <summary>Registers what the platform's grains on one silo share.</summary>
public static class FloGrainServicesSiloBuilderExtensions
{
    /// <summary>Adds the silo's <see cref="KvExpirySweeper"/>, <see cref="KvLocalValues"/> and <see cref="ActionEventPublisher"/>.</summary>
    public static ISiloBuilder AddFloGrainServices(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton<KvLocalValues>();
        silo.Services.TryAddSingleton<IKvLocalReads>(static sp => sp.GetRequiredService<KvLocalValues>());
        silo.Services.TryAddSingleton<KvExpirySweeper>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(static sp => sp.GetRequiredService<KvExpirySweeper>());
        silo.Services.TryAddSingleton<ActionEventPublisher>();
        return silo;
    }
}
