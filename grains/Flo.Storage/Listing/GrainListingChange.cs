namespace Flo.Storage;

/// <summary>
/// A change to whether a state is <b>listed</b>, stored by the state's next write in the same atomic step (only if its
/// ETag condition holds). Listed states of one state name and grain type can be scanned in key order by prefix
/// (<see cref="IGrainListing"/>): an index that is the storage itself, so a grain appears in it exactly when its write
/// is stored, with no second grain or call to keep in step.
/// </summary>
/// <param name="Listed">True to list the state (or change its due time), false to take it out.</param>
/// <param name="DueMs">
/// When the owner wants to look at the state again, in ms since the epoch (a TTL's expiry); 0 for never. Listed states
/// whose due time came are found with <see cref="IGrainListing.ListDueAsync"/>.
/// </param>
public readonly record struct GrainListingChange(bool Listed, long DueMs)
{
    /// <summary>Lists the state, due at <paramref name="dueMs"/> (0: never).</summary>
    public static GrainListingChange List(long dueMs = 0) => new(true, dueMs);

    /// <summary>Takes the state out of the listing.</summary>
    public static GrainListingChange Unlist => new(false, 0);
}
