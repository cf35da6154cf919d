using Flo.Invocation;
using Flo.Runtime.Catalog;
using Flo.Serialization;
using Flo.Storage;

namespace Flo.Runtime.State;

/// <summary>
/// A grain's persistent state bound to its activation. Reads at activation; writes are conditional on the ETag
/// this activation last saw, and a stale ETag deactivates the activation so it cannot keep serving from state that
/// another activation has moved past.
/// </summary>
internal sealed class PersistentState<TState>(ActivationData activation, string stateName, IGrainStorage storage, IGrainFactory references)
    : IPersistentState<TState>, IActivationLifecycleState where TState : new()
{
    public TState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; }

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var record = await storage.ReadAsync(activation.GrainId, stateName, cancellationToken).ConfigureAwait(false);
        State = record.Exists
            ? Serializer.Deserialize<TState>(record.Data, references as IGrainReferenceActivator)
            : new TState();
        Etag = record.Etag;
        RecordExists = record.Exists;
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var data = Serializer.SerializeToArray(State);
        try
        {
            Etag = await storage.WriteAsync(activation.GrainId, stateName, data, Etag, cancellationToken).ConfigureAwait(false);
            RecordExists = true;
        }
        catch (InconsistentStateException e)
        {
            activation.OnInconsistentState(e.Message);
            throw;
        }
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Etag = await storage.ClearAsync(activation.GrainId, stateName, Etag, cancellationToken).ConfigureAwait(false);
            RecordExists = false;
            State = new TState();
        }
        catch (InconsistentStateException e)
        {
            activation.OnInconsistentState(e.Message);
            throw;
        }
    }

    Task IActivationLifecycleState.ReadOnActivateAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);
}
