using System.Text;

namespace Flo.Storage;

/// <summary>
/// UTF-8 byte order of strings, the order SQLite (BINARY) and PostgreSQL (<c>COLLATE "C"</c>) compare text in, so the
/// memory store lists in the same order as the SQL stores. Ordinal UTF-16 order differs from it only where a surrogate
/// pair meets a character in U+E000..U+FFFF.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static Utf8Order Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }
        var i = x.AsSpan().CommonPrefixLength(y);
        if (i == x.Length || i == y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }
        var (a, b) = (x[i], y[i]);
        // Surrogates (D800-DFFF) encode code points above FFFF: in UTF-8 they sort after everything in the BMP.
        var (sa, sb) = (char.IsSurrogate(a), char.IsSurrogate(b));
        return sa != sb ? (sa ? 1 : -1) : a.CompareTo(b);
    }

    /// <summary>
    /// The least string greater than every string that starts with <paramref name="prefix"/> (an exclusive upper
    /// bound for a prefix range), or null when there is none (an empty prefix, or one of only U+10FFFF).
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        var end = prefix;
        while (end.Length > 0)
        {
            // The last code point, raised by one (skipping the surrogate range); a maximal one is dropped and the one
            // before it raised instead.
            var length = end.Length >= 2 && char.IsSurrogatePair(end[^2], end[^1]) ? 2 : 1;
            // A lone surrogate (never valid UTF-8, so never stored by the SQL stores) counts as its own value.
            var last = Rune.TryGetRuneAt(end, end.Length - length, out var rune) ? rune.Value : end[^1];
            end = end[..^length];
            if (last == 0x10FFFF)
            {
                continue;
            }
            var next = last == 0xD7FF ? 0xE000 : last + 1;
            return end + (Rune.IsValid(next) ? new Rune(next).ToString() : ((char)next).ToString());
        }
        return null;
    }
}
