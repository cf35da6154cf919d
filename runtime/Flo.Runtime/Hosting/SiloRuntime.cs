using Flo.Runtime.Catalog;
using Flo.Runtime.Membership;
using Flo.Runtime.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Hosting;

/// <summary>
/// Wires the pieces that refer to each other (catalog, activations, dispatcher, in-silo client) in one place.
/// </summary>
internal sealed class SiloRuntime : IAsyncDisposable
{
    public SiloRuntime(
        IServiceProvider services,
        SiloDetails silo,
        GrainTypeManifest manifest,
        IClusterMembership membership,
        IOptions<MessagingOptions> messaging,
        IOptions<GrainCollectionOptions> collection,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        Client = new InsideRuntimeClient(silo, messaging.Value.ResponseTimeout);
        Catalog = new Catalog.Catalog(loggerFactory.CreateLogger<Catalog.Catalog>(), collection.Value.CollectionAge);
        Catalog.Services = new ActivationServices(services, Catalog, Client, silo.Name, timeProvider,
            collection.Value.ActivationTimeout, collection.Value.DeactivationTimeout, loggerFactory.CreateLogger("Flo.Runtime.Activation"));
        Dispatcher = new Dispatcher(manifest, Catalog, silo, membership, Client, loggerFactory.CreateLogger<Dispatcher>());
        Connections = new SiloConnectionManager(silo, Client.Registry, messaging.Value, membership, loggerFactory.CreateLogger<SiloConnectionManager>());
        Dispatcher.Forwarder = new RequestForwarder(Connections, Client.Registry, Dispatcher, silo, membership, messaging.Value, loggerFactory.CreateLogger<RequestForwarder>());
        Prober = new SiloProber(Connections, Client.Registry);
        Client.Dispatcher = Dispatcher;
        Catalog.Dispatcher = Dispatcher;
        Catalog.Membership = membership;
        membership.ViewChanged += Catalog.OnViewChanged;
    }

    public SiloConnectionManager Connections { get; }

    /// <summary>
    /// Waits (bounded) until no call this silo sent is pending, so requests it relayed while handing its grains off
    /// get their responses before Kestrel closes the connections they came in on.
    /// </summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        var started = Environment.TickCount64;
        while (Client.Registry.Count > 0 && Environment.TickCount64 - started < limit.TotalMilliseconds)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs when the host is disposed, after Kestrel stopped: requests this silo forwarded while handing its grains
    /// off keep their pending calls until then.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Connections.DisposeAsync().ConfigureAwait(false);
        Client.Dispose();
    }

    public SiloProber Prober { get; }

    public InsideRuntimeClient Client { get; }

    public Catalog.Catalog Catalog { get; }

    public Dispatcher Dispatcher { get; }
}
