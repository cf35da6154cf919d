using System.Text;

namespace Flo.Kv;

/// <summary>
/// Names and limits shared by the client, the grains and the protocol endpoints (spec: keys are UTF-8 strings of 1
/// to 512 bytes; namespaces 1 to 64 bytes of <c>[A-Za-z0-9._-]</c>; values up to 1 MiB by default).
/// </summary>
public static class KvKeys
{
    /// <summary>Largest key in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 512;

    /// <summary>Largest namespace in bytes.</summary>
    public const int MaxNamespaceBytes = 64;

    /// <summary>Default largest value (1 MiB).</summary>
    public const int DefaultMaxValueBytes = 1024 * 1024;

    /// <summary>Versions kept per key (spec: the last 64).</summary>
    public const int HistoryDepth = 64;

    /// <summary>Scan page limits (spec: default 100, max 1000).</summary>
    public const int DefaultScanLimit = 100, MaxScanLimit = 1000;

    /// <summary>Longest TTL (about 10,000 years): a TTL added to the clock in milliseconds cannot overflow.</summary>
    public const long MaxTtlMilliseconds = 315_576_000_000_000;

    /// <summary>Throws <see cref="InvalidArgumentException"/> unless the namespace is valid.</summary>
    public static void ValidateNamespace(string? ns)
    {
        if (NamespaceError(ns) is { } error)
        {
            throw new KvArgumentException(error);
        }
    }

    /// <summary>
    /// Why <paramref name="ns"/> is not a valid namespace, or null when it is. Namespaces are shared by every area;
    /// each area throws its own argument exception with this message.
    /// </summary>
    public static string? NamespaceError(string? ns)
    {
        if (string.IsNullOrEmpty(ns) || ns.Length > MaxNamespaceBytes)
        {
            return $"Namespace must be 1 to {MaxNamespaceBytes} characters of [A-Za-z0-9._-]; got {Describe(ns)}.";
        }
        foreach (var c in ns)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Namespace must be 1 to {MaxNamespaceBytes} characters of [A-Za-z0-9._-]; got {Describe(ns)}.";
            }
        }
        return null;
    }

    /// <summary>Throws <see cref="InvalidArgumentException"/> unless the key is valid.</summary>
    public static void ValidateKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new KvArgumentException("Key must not be empty.");
        }
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(key);
        }
        catch (EncoderFallbackException)
        {
            throw new KvArgumentException("Key is not valid UTF-8 (it contains an unpaired surrogate).");
        }
        if (bytes > MaxKeyBytes)
        {
            throw new KvArgumentException($"Key is {bytes} bytes; the limit is {MaxKeyBytes}.");
        }
        if (key.Contains('\0'))
        {
            // Storage keys cannot hold NUL (PostgreSQL text); refuse it everywhere alike.
            throw new KvArgumentException("Key must not contain NUL characters.");
        }
    }

    /// <summary>Throws <see cref="InvalidArgumentException"/> unless the value fits.</summary>
    public static void ValidateValue(byte[]? value, int maxValueBytes = DefaultMaxValueBytes)
    {
        if (value is null)
        {
            throw new KvArgumentException("Value must not be null (use an empty array).");
        }
        if (value.Length > maxValueBytes)
        {
            throw new KvArgumentException($"Value is {value.Length} bytes; the limit is {maxValueBytes}.");
        }
    }

    /// <summary>Throws <see cref="KvArgumentException"/> unless the put's TTL and CAS version are in range.</summary>
    public static void ValidateCondition(KvPutCondition? condition)
    {
        if (condition is null)
        {
            return;
        }
        if (condition.TtlSeconds is < 0 || condition.TtlMilliseconds is < 0)
        {
            throw new KvArgumentException("TTL must not be negative.");
        }
        if (condition.TtlSeconds > MaxTtlMilliseconds / 1000 || condition.TtlMilliseconds > MaxTtlMilliseconds)
        {
            throw new KvArgumentException($"TTL must be at most {MaxTtlMilliseconds / 1000} seconds.");
        }
        if (condition.CasVersion is < 0)
        {
            throw new KvArgumentException($"CasVersion must not be negative; got {condition.CasVersion}.");
        }
    }

    /// <summary>
    /// Throws <see cref="KvArgumentException"/> unless the operation is one the key grain applies without failing
    /// (a known kind; a put's value within <paramref name="maxValueBytes"/> and its condition in range).
    /// </summary>
    public static void ValidateOp(KvOp op, int maxValueBytes = DefaultMaxValueBytes)
    {
        if (op.Kind is not (KvOpKind.Get or KvOpKind.Put or KvOpKind.Delete))
        {
            throw new KvArgumentException($"Unknown operation {op.Kind}.");
        }
        if (op.Kind == KvOpKind.Put)
        {
            ValidateValue(op.Value, maxValueBytes);
            ValidateCondition(op.Condition);
        }
    }

    /// <summary>The key grain's key: namespace, '/', key (a namespace cannot contain '/').</summary>
    public static string GrainKey(string ns, string key) => ns + "/" + key;

    /// <summary>Splits a key grain's key.</summary>
    public static (string Namespace, string Key) Split(string grainKey)
    {
        var slash = grainKey.IndexOf('/');
        return slash <= 0 ? throw new KvArgumentException($"'{grainKey}' is not a KV grain key.") : (grainKey[..slash], grainKey[(slash + 1)..]);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private static string Describe(string? s) => s is null ? "null" : $"'{(s.Length > 80 ? s[..80] + "…" : s)}'";
}
