using System.Globalization;

namespace Flo.Storage.Stores;

/// <summary>ETags are the decimal row version: 1 for the first write, one more for every write or clear after it.</summary>
internal static class StateEtag
{
    public static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses an expected ETag. False for text that no version can ever have: such a write is a conflict, not a format
    /// error, because it can only come from a writer holding an ETag of some other storage.
    /// </summary>
    public static bool TryParse(string etag, out long version)
        => long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
}
