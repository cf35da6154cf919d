namespace Flo.Storage;

/// <summary>
/// Reads the states a grain storage lists (<see cref="GrainListingChange"/>): by key prefix in UTF-8 byte order, or by
/// due time. What a scan returns was stored: a write that returned is seen by every scan started after it.
/// </summary>
public interface IGrainListing
{
    /// <summary>
    /// Up to <paramref name="limit"/> listed states of <paramref name="stateName"/> whose grains are of
    /// <paramref name="grainType"/> and whose keys start with <paramref name="keyPrefix"/>, after
    /// <paramref name="afterKey"/> (exclusive; null: from the start), in UTF-8 byte order of their keys.
    /// </summary>
    Task<IReadOnlyList<ListedGrain>> ListAsync(string stateName, GrainType grainType, string keyPrefix, string? afterKey, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> listed states of <paramref name="stateName"/> and <paramref name="grainType"/>
    /// with a due time (not 0) at or before <paramref name="dueBy"/>, earliest first.
    /// </summary>
    Task<IReadOnlyList<ListedGrain>> ListDueAsync(string stateName, GrainType grainType, long dueBy, int limit, CancellationToken cancellationToken = default);
}
