namespace Flo;

/// <summary>
/// A grain's durable state. Writes are conditional on the ETag read or last written: a write that finds
/// a newer ETag in storage throws <see cref="InconsistentStateException"/> and the activation is deactivated,
/// so two activations of one grain can never both commit.
/// </summary>
public interface IPersistentState<TState> where TState : new()
{
    /// <summary>The in-memory state.</summary>
    TState State { get; set; }

    /// <summary>The ETag of the stored version, or null when nothing is stored.</summary>
    string? Etag { get; }

    /// <summary>Whether a record exists in storage.</summary>
    bool RecordExists { get; }

    /// <summary>Reloads the state from storage.</summary>
    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the state and the staged record changes; completes after the storage provider made them durable. If it
    /// fails, the staged changes are dropped with it: the grain then reloads or deactivates rather than trust memory.
    /// </summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the stored state and every record kept beside it, and resets <see cref="State"/>.</summary>
    Task ClearStateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stages a record kept beside the state (insert or replace by <paramref name="id"/>). Nothing is stored until the
    /// next <see cref="WriteStateAsync"/>, which stores the state and every staged change atomically; the record is
    /// serialized then, so changes made to it after staging are included. Staging one id again replaces the change.
    /// </summary>
    void StageRecord<TRecord>(long id, TRecord record);

    /// <summary>Stages the deletion of a record; stored by the next <see cref="WriteStateAsync"/>.</summary>
    void StageRecordDeletion(long id);

    /// <summary>The number of staged record changes the next write will store.</summary>
    int StagedRecordCount { get; }

    /// <summary>Up to <paramref name="limit"/> stored records with ids above <paramref name="afterId"/>, in id order.</summary>
    Task<IReadOnlyList<KeyValuePair<long, TRecord>>> ReadRecordsAsync<TRecord>(long afterId, int limit, CancellationToken cancellationToken = default);
}
