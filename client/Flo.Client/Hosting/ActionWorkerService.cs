using Flo.Actions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flo.Hosting;

/// <summary>
/// An <see cref="ActionWorker"/> as a hosted service: started with the host (after the Orleans client, registered
/// before it by <c>AddFloClient</c>), stopped gracefully with it (running handlers finish or are handed back within the
/// host's shutdown).
/// </summary>
internal sealed class ActionWorkerService(IServiceProvider services, ActionWorkerOptions options, Action<IServiceProvider, ActionWorker> configure) : IHostedService, IAsyncDisposable
{
    private ActionWorker? worker;

    /// <summary>The running worker (null before the host started).</summary>
    public ActionWorker? Worker => worker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var client = services.GetRequiredService<FloClient>();
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<ActionWorker>();
        worker = client.NewActionWorker(options, logger);
        configure(services, worker);
        await worker.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (worker is not null)
        {
            await worker.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (worker is not null)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }
    }
}
