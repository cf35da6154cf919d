using System.Text;

namespace Flo;

/// <summary>
/// FNV-1a over UTF-8: stable across processes, machines and versions, so every silo and client picks the same
/// partition for a key (KV index partitions, queue and stream partitions, scan cursors).
/// </summary>
public static class StableHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    /// <summary>Hash of one string.</summary>
    public static uint Of(string value) => Continue(OffsetBasis, value);

    /// <summary>Hash of two strings with a separator, so ("ab","c") and ("a","bc") differ.</summary>
    public static uint Of(string first, string second)
    {
        var h = Continue(OffsetBasis, first);
        h = (h ^ 0x2F) * Prime;
        return Mix(Continue(h, second));
    }

    private static uint Continue(uint hash, string value)
    {
        Span<byte> buffer = value.Length <= 256 ? stackalloc byte[value.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        var n = Encoding.UTF8.GetBytes(value, buffer);
        foreach (var b in buffer[..n])
        {
            hash = (hash ^ b) * Prime;
        }
        return hash;
    }

    // FNV's low bits are weak for consistent-hash rings; a final avalanche spreads them.
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }
}
