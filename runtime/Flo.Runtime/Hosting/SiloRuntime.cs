using Flo.Runtime.Catalog;
using Flo.Runtime.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Hosting;

/// <summary>
/// Wires the pieces that refer to each other (catalog, activations, dispatcher, in-silo client) in one place.
/// </summary>
internal sealed class SiloRuntime
{
    public SiloRuntime(
        IServiceProvider services,
        SiloDetails silo,
        GrainTypeManifest manifest,
        IOptions<MessagingOptions> messaging,
        IOptions<GrainCollectionOptions> collection,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        Client = new InsideRuntimeClient(silo, messaging.Value.ResponseTimeout);
        Catalog = new Catalog.Catalog(loggerFactory.CreateLogger<Catalog.Catalog>(), collection.Value.CollectionAge);
        Catalog.Services = new ActivationServices(services, Catalog, Client, silo.Name, timeProvider,
            collection.Value.ActivationTimeout, collection.Value.DeactivationTimeout, loggerFactory.CreateLogger("Flo.Runtime.Activation"));
        Dispatcher = new Dispatcher(manifest, Catalog, silo, Client, loggerFactory.CreateLogger<Dispatcher>());
        Client.Dispatcher = Dispatcher;
    }

    public InsideRuntimeClient Client { get; }

    public Catalog.Catalog Catalog { get; }

    public Dispatcher Dispatcher { get; }
}
