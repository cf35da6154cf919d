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
    private readonly Dictionary<long, IStagedRecord?> staged = [];

    public TState State { get; set; } = new();

    public int StagedRecordCount => staged.Count;

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
            if (staged.Count == 0)
            {
                Etag = await storage.WriteAsync(activation.GrainId, stateName, data, Etag, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var changes = new GrainRecordChange[staged.Count];
                var i = 0;
                foreach (var (id, record) in staged)
                {
                    // Spelled out: a null byte[] converts to an empty ReadOnlyMemory, not to a null one (a delete).
                    changes[i++] = record is null ? GrainRecordChange.Delete(id) : GrainRecordChange.Upsert(id, record.Serialize());
                }
                // Cleared before awaiting: changes staged while this write is in flight belong to the next one.
                staged.Clear();
                Etag = await storage.WriteAsync(activation.GrainId, stateName, data, Etag, changes, cancellationToken).ConfigureAwait(false);
            }
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
            staged.Clear();
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

    public void StageRecord<TRecord>(long id, TRecord record) => staged[id] = new StagedRecord<TRecord>(record);

    public void StageRecordDeletion(long id) => staged[id] = null;

    public async Task<IReadOnlyList<KeyValuePair<long, TRecord>>> ReadRecordsAsync<TRecord>(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var records = await storage.ReadRecordsAsync(activation.GrainId, stateName, afterId, limit, cancellationToken).ConfigureAwait(false);
        var result = new KeyValuePair<long, TRecord>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            result[i] = new(records[i].Id, Serializer.Deserialize<TRecord>(records[i].Data, references as IGrainReferenceActivator));
        }
        return result;
    }

    Task IActivationLifecycleState.ReadOnActivateAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);

    /// <summary>A staged record, serialized only when the write that stores it is made.</summary>
    private interface IStagedRecord
    {
        byte[] Serialize();
    }

    private sealed class StagedRecord<TRecord>(TRecord record) : IStagedRecord
    {
        public byte[] Serialize() => Serializer.SerializeToArray(record);
    }
}
