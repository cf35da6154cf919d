using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flo.Grains.Kv;

/// <summary>Registers what a silo's KV key grains share.</summary>
public static class KvSiloBuilderExtensions
{
    /// <summary>Adds the silo's <see cref="KvIndexBatcher"/>.</summary>
    public static ISiloBuilder AddFloKv(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton<KvIndexBatcher>();
        return silo;
    }
}
