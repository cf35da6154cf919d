using Orleans.Serialization;
using Orleans.Storage;

namespace Flo.Storage;

/// <summary>
/// The per-activation <see cref="IStateWithRecords{TState}"/> that <see cref="StateWithRecordsAttributeMapper"/> creates:
/// read when the grain activates (<see cref="GrainLifecycleStage.SetupState"/>), written with the staged record changes
/// through <see cref="IRecordGrainStorage"/>. Operations run one after another in call order, as Orleans' own
/// persistent state does; the staged set is taken (and emptied) when a write starts, so changes staged while a write
/// is in flight belong to the next one.
/// </summary>
internal sealed class StateWithRecords<TState> : IStateWithRecords<TState>, ILifecycleObserver
{
    private readonly string stateName;
    private readonly IGrainContext context;
    private readonly IRecordGrainStorage storage;
    private readonly Serializer serializer;
    private readonly GrainState<TState> grainState;
    // Created by the first staged change: most activations (reads) never stage one.
    private Dictionary<long, StagedRecord>? staged;
    private GrainListingChange? stagedListing;
    private Task tail = Task.CompletedTask;
    private bool loaded;

    public StateWithRecords(string stateName, string observerName, IGrainContext context, IRecordGrainStorage storage, Serializer serializer, TState initialState)
    {
        this.stateName = stateName;
        this.context = context;
        this.storage = storage;
        this.serializer = serializer;
        grainState = new GrainState<TState>(initialState);
        context.ObservableLifecycle.Subscribe(observerName, GrainLifecycleStage.SetupState, this);
    }

    public TState State
    {
        get => grainState.State!;
        set => grainState.State = value;
    }

    public string? Etag => grainState.ETag;

    public bool RecordExists => loaded ? grainState.RecordExists : throw new InvalidOperationException($"State '{stateName}' of {context.GrainId} has not been read yet.");

    public int StagedRecordCount => staged?.Count ?? 0;

    public void StageRecord<TRecord>(long id, TRecord record) => (staged ??= [])[id] = new StagedRecord(record, RecordCodec<TRecord>.Serialize);

    public void StageRecordDeletion(long id) => (staged ??= [])[id] = default;

    public void StageListing(long dueMs = 0) => stagedListing = GrainListingChange.List(dueMs);

    public void StageUnlisting() => stagedListing = GrainListingChange.Unlist;

    public async Task<IReadOnlyList<KeyValuePair<long, TRecord>>> ReadRecordsAsync<TRecord>(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        var records = await storage.ReadRecordsAsync(stateName, context.GrainId, afterId, limit, cancellationToken);
        var result = new KeyValuePair<long, TRecord>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            result[i] = new(records[i].Id, serializer.Deserialize<TRecord>(records[i].Data)!);
        }
        return result;
    }

    public Task ReadStateAsync() => ReadStateAsync(CancellationToken.None);

    public Task ReadStateAsync(CancellationToken cancellationToken) => Enqueue(static (self, ct) => self.ReadCoreAsync(ct), cancellationToken);

    public Task WriteStateAsync() => WriteStateAsync(CancellationToken.None);

    public Task WriteStateAsync(CancellationToken cancellationToken) => Enqueue(static (self, ct) => self.WriteCoreAsync(ct), cancellationToken);

    public Task ClearStateAsync() => ClearStateAsync(CancellationToken.None);

    public Task ClearStateAsync(CancellationToken cancellationToken) => Enqueue(static (self, ct) => self.ClearCoreAsync(ct), cancellationToken);

    Task ILifecycleObserver.OnStart(CancellationToken cancellationToken)
        => cancellationToken.IsCancellationRequested ? Task.CompletedTask : ReadStateAsync(cancellationToken);

    Task ILifecycleObserver.OnStop(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs <paramref name="operation"/> after the operations called before it (whatever their outcome).</summary>
    private Task Enqueue(Func<StateWithRecords<TState>, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var previous = tail;
        var next = RunAfterAsync(previous, operation, cancellationToken);
        tail = next;
        return next;
    }

    private async Task RunAfterAsync(Task previous, Func<StateWithRecords<TState>, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        if (!previous.IsCompleted)
        {
            // Continues on the activation's scheduler (no ConfigureAwait(false)): the operations touch grain state.
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await operation(this, cancellationToken);
    }

    private async Task ReadCoreAsync(CancellationToken cancellationToken)
    {
        await storage.ReadStateAsync(stateName, context.GrainId, grainState, cancellationToken);
        loaded = true;
    }

    private async Task WriteCoreAsync(CancellationToken cancellationToken)
    {
        // Taken now: what is staged from here on belongs to the next write. A failed write drops what it carried.
        var listing = stagedListing;
        stagedListing = null;
        if (staged is not { Count: > 0 })
        {
            await storage.WriteStateAsync(stateName, context.GrainId, grainState, [], listing, cancellationToken);
            return;
        }
        var taking = staged;
        staged = null;
        var changes = new GrainRecordChange[taking.Count];
        var i = 0;
        foreach (var (id, record) in taking)
        {
            changes[i++] = record.Serialize is null ? GrainRecordChange.Delete(id) : GrainRecordChange.Upsert(id, record.Serialize(serializer, record.Value));
        }
        await storage.WriteStateAsync(stateName, context.GrainId, grainState, changes, listing, cancellationToken);
    }

    private async Task ClearCoreAsync(CancellationToken cancellationToken)
    {
        // A clear deletes every stored record and unlists the state; staged changes made before it are moot.
        staged = null;
        stagedListing = null;
        await storage.ClearStateAsync(stateName, context.GrainId, grainState, cancellationToken);
    }

    /// <summary>A staged upsert (value and how to serialize it) or, with a null <see cref="Serialize"/>, a deletion.</summary>
    private readonly record struct StagedRecord(object? Value, Func<Serializer, object?, byte[]>? Serialize);

    /// <summary>One cached delegate per record type: staging allocates nothing but the entry.</summary>
    private static class RecordCodec<TRecord>
    {
        public static readonly Func<Serializer, object?, byte[]> Serialize = static (serializer, value) => serializer.SerializeToArray((TRecord)value!);
    }
}
