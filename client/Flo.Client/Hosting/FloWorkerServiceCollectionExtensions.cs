using Flo.Actions;
using Flo.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>services.AddFloWorker(...)</c>: an action worker in a Generic Host app, since workers live in users' services.
/// Call <c>AddFloClient</c> first (the worker uses that client; the Orleans client starts before the worker).
/// </summary>
public static class FloWorkerServiceCollectionExtensions
{
    /// <summary>Adds a hosted action worker whose handlers <paramref name="configure"/> adds (with access to the app's services).</summary>
    public static IServiceCollection AddFloWorker(this IServiceCollection services, Action<IServiceProvider, ActionWorker> configure, ActionWorkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        options ??= new ActionWorkerOptions();
        services.AddHostedService(sp => new ActionWorkerService(sp, options, configure));
        return services;
    }

    /// <summary>Adds a hosted action worker whose handlers <paramref name="configure"/> adds.</summary>
    public static IServiceCollection AddFloWorker(this IServiceCollection services, Action<ActionWorker> configure, ActionWorkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddFloWorker((_, worker) => configure(worker), options);
    }
}
