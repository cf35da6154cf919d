namespace Flo.Storage;

/// <summary>
/// A grain's persistent state plus records kept beside it (see <see cref="IRecordGrainStorage"/>). Injected into a
/// grain's constructor with <see cref="StateWithRecordsAttribute"/>, as Orleans injects
/// <see cref="IPersistentState{TState}"/> with <c>[PersistentState]</c>; read when the grain activates.
/// </summary>
/// <remarks>
/// Record changes are staged in memory and stored by the next <see cref="Orleans.Core.IStorage.WriteStateAsync()"/>
/// together with the state, atomically and conditional on the ETag. A write that fails drops the changes it carried:
/// the grain must then reload (deactivate) rather than trust its memory.
/// </remarks>
public interface IStateWithRecords<TState> : IPersistentState<TState>
{
    /// <summary>
    /// Stages a record (insert or replace by <paramref name="id"/>). It is serialized when the write that stores it is
    /// made, so changes made to it after staging are included. Staging one id again replaces the change.
    /// </summary>
    void StageRecord<TRecord>(long id, TRecord record);

    /// <summary>Stages the deletion of a record.</summary>
    void StageRecordDeletion(long id);

    /// <summary>
    /// Stages listing the state (or changing its due time) with the next write (see <see cref="GrainListingChange"/>),
    /// so scans of <see cref="IGrainListing"/> find it once that write is stored.
    /// </summary>
    void StageListing(long dueMs = 0);

    /// <summary>Stages taking the state out of the listing with the next write.</summary>
    void StageUnlisting();

    /// <summary>The number of staged record changes the next write will store.</summary>
    int StagedRecordCount { get; }

    /// <summary>Up to <paramref name="limit"/> stored records with ids above <paramref name="afterId"/>, in id order.</summary>
    Task<IReadOnlyList<KeyValuePair<long, TRecord>>> ReadRecordsAsync<TRecord>(long afterId, int limit, CancellationToken cancellationToken = default);
}
