using Flo.Runtime.Lifecycle;
using Flo.Runtime.Storage;
using Flo.Runtime.Telemetry;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Hosting;

/// <summary>Storage comes up (schema applied) before grains can activate, and goes down after they deactivated.</summary>
internal sealed class StorageLifecycleParticipant(IStorageBackend backend) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe("storage", ServiceLifecycleStage.RuntimeStorage, backend.InitializeAsync, async _ => await backend.DisposeAsync().ConfigureAwait(false));
}

/// <summary>The catalog's sweeps start with the grain services; stopping deactivates every grain (state written).</summary>
internal sealed class CatalogLifecycleParticipant(SiloRuntime runtime, SiloDetails silo, IOptions<GrainCollectionOptions> options) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe("catalog", ServiceLifecycleStage.RuntimeGrainServices,
            _ =>
            {
                runtime.Catalog.Start(options.Value.CollectionQuantum);
                RuntimeInstruments.TrackSilo(silo.Name, () => runtime.Catalog.Count);
                return Task.CompletedTask;
            },
            async _ =>
            {
                await runtime.Catalog.DeactivateAllAsync(options.Value.DeactivationTimeout).ConfigureAwait(false);
                await runtime.Catalog.DisposeAsync().ConfigureAwait(false);
                RuntimeInstruments.UntrackSilo(silo.Name);
            });
}

/// <summary>Marks the silo active last on the way up and shutting down first on the way down.</summary>
internal sealed class SiloStatusLifecycleParticipant(SiloDetails silo) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe("status", ServiceLifecycleStage.Active,
            _ =>
            {
                silo.SetStatus(SiloStatus.Active);
                return Task.CompletedTask;
            },
            _ =>
            {
                silo.SetStatus(SiloStatus.ShuttingDown);
                return Task.CompletedTask;
            });
}
