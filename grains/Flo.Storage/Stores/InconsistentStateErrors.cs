using Orleans.Storage;

namespace Flo.Storage.Stores;

/// <summary>Builds the <see cref="InconsistentStateException"/> every store throws, so all of them explain a conflict alike.</summary>
internal static class InconsistentStateErrors
{
    /// <param name="operation">"write" or "clear".</param>
    /// <param name="key">The state.</param>
    /// <param name="expectedEtag">The ETag the caller held.</param>
    /// <param name="stored">What storage held when the conflict was found (read after the failed statement for the SQL stores); null when that could not be read.</param>
    public static InconsistentStateException Conflict(string operation, StateKey key, string? expectedEtag, StoredState? stored)
    {
        var expected = expectedEtag is null ? "no stored state" : $"ETag {expectedEtag}";
        var found = stored switch
        {
            null => "storage holds another version (it could not be read)",
            { Etag: null } => "nothing is stored",
            { Exists: true } s => $"storage holds ETag {s.Etag}",
            { } s => $"storage holds the tombstone of a cleared state, ETag {s.Etag}",
        };
        // Orleans deactivates the activation that gets this exception, so the grain reloads instead of trusting its memory.
        return new InconsistentStateException(
            $"Cannot {operation} {key}: expected {expected} but {found}. Another activation or writer changed it.",
            storedEtag: stored?.Etag,
            currentEtag: expectedEtag);
    }
}
