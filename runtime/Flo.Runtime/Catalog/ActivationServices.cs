using Flo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Catalog;

/// <summary>What every activation of one silo shares, gathered so activations stay small.</summary>
internal sealed class ActivationServices(
    IServiceProvider serviceProvider,
    Catalog catalog,
    IGrainFactory grainFactory,
    string siloName,
    TimeProvider timeProvider,
    TimeSpan activationTimeout,
    TimeSpan deactivationTimeout,
    ILogger logger)
{
    public IServiceProvider ServiceProvider { get; } = serviceProvider;

    public Catalog Catalog { get; } = catalog;

    public IGrainFactory GrainFactory { get; } = grainFactory;

    public string SiloName { get; } = siloName;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public TimeSpan ActivationTimeout { get; } = activationTimeout;

    public TimeSpan DeactivationTimeout { get; } = deactivationTimeout;

    public ILogger Logger { get; } = logger;

    /// <summary>The grain storage registered under the name (keyed service), the default one for null.</summary>
    public IGrainStorage ResolveStorage(string? storageName)
    {
        var name = string.IsNullOrEmpty(storageName) ? GrainStorageNames.Default : storageName;
        return ServiceProvider.GetKeyedService<IGrainStorage>(name)
            ?? throw new InvalidOperationException($"No grain storage named '{name}' is configured.");
    }
}

/// <summary>Names of grain storage providers.</summary>
public static class GrainStorageNames
{
    /// <summary>The storage configured under Cluster:Storage.</summary>
    public const string Default = "Default";
}
