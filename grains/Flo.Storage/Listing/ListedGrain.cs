namespace Flo.Storage;

/// <summary>One listed state: its grain's key (the grain id without its type) and its due time (0: none).</summary>
/// <param name="Key">The grain key, as in <c>GrainId.Key</c>.</param>
/// <param name="DueMs">The due time stored with the listing, in ms since the epoch; 0 for none.</param>
public readonly record struct ListedGrain(string Key, long DueMs);
