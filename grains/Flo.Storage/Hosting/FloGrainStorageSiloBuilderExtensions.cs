using Flo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Providers;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Registers <see cref="FloGrainStorage"/> on a silo, the way Orleans' own storage providers register.</summary>
public static class FloGrainStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="FloGrainStorage"/> named <paramref name="name"/>: a keyed <see cref="IGrainStorage"/> (for
    /// <c>[PersistentState("state", "name")]</c>) and the same instance as a keyed <see cref="IRecordGrainStorage"/> (for
    /// <c>[StateWithRecords("state", "name")]</c>). Its options are validated when the silo creates it; its schema is
    /// applied at silo start before grains run.
    /// </summary>
    public static ISiloBuilder AddFloGrainStorage(this ISiloBuilder builder, string name, Action<FloStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddFloGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds a <see cref="FloGrainStorage"/> as the default grain storage (<c>[PersistentState("state")]</c> without a storage name).</summary>
    public static ISiloBuilder AddFloGrainStorageAsDefault(this ISiloBuilder builder, Action<FloStorageOptions> configure)
        => builder.AddFloGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>The service-collection form of <see cref="AddFloGrainStorage(ISiloBuilder, string, Action{FloStorageOptions})"/>.</summary>
    public static IServiceCollection AddFloGrainStorage(this IServiceCollection services, string name, Action<FloStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FloStorageOptions>(name).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FloStorageOptions>, FloStorageOptionsValidator>());

        services.AddKeyedSingleton(name, static (sp, key) => FloGrainStorage.Create(sp, (string)key!));
        services.AddKeyedSingleton<IGrainStorage>(name, static (sp, key) => sp.GetRequiredKeyedService<FloGrainStorage>(key));
        services.AddKeyedSingleton<IRecordGrainStorage>(name, static (sp, key) => sp.GetRequiredKeyedService<FloGrainStorage>(key));
        services.AddKeyedSingleton<IGrainListing>(name, static (sp, key) => sp.GetRequiredKeyedService<FloGrainStorage>(key));
        if (string.Equals(name, ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, StringComparison.Ordinal))
        {
            services.TryAddSingleton<IGrainStorage>(static sp => sp.GetRequiredKeyedService<FloGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
            services.TryAddSingleton<IRecordGrainStorage>(static sp => sp.GetRequiredKeyedService<FloGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
        }
        // Initializes the schema at silo start and commits queued writes at stop.
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredKeyedService<FloGrainStorage>(name));
        services.TryAddSingleton(typeof(IAttributeToFactoryMapper<StateWithRecordsAttribute>), typeof(StateWithRecordsAttributeMapper));
        return services;
    }
}
