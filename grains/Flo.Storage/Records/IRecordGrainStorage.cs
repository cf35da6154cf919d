using Orleans.Storage;

namespace Flo.Storage;

/// <summary>
/// A grain storage provider that also keeps <b>records beside a state</b>: rows addressed by (grain, state name, id)
/// that are changed in the same atomic step as the state's ETag-conditional write, and read in id order on their own.
/// A grain holding many records (a queue partition's messages) so writes O(change), not O(everything it holds).
/// </summary>
public interface IRecordGrainStorage : IGrainStorage
{
    /// <summary>
    /// Writes the state (conditional on <see cref="IGrainState{T}.ETag"/>, as <see cref="IGrainStorage.WriteStateAsync{T}(string, GrainId, IGrainState{T})"/>)
    /// and applies <paramref name="records"/> and <paramref name="listing"/> (null: unchanged) in the same transaction: if
    /// the ETag condition fails nothing changes and <see cref="InconsistentStateException"/> is thrown. On success the
    /// new ETag is set on <paramref name="grainState"/>.
    /// </summary>
    Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, IReadOnlyList<GrainRecordChange> records, GrainListingChange? listing, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> records of the state with ids above <paramref name="afterId"/>, in id order.</summary>
    Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(string stateName, GrainId grainId, long afterId, int limit, CancellationToken cancellationToken);
}
