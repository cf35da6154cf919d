using System.Globalization;

namespace Flo;

/// <summary>
/// Identity of a grain: its grain type (the implementing class's stable name) and its key.
/// Guid and integer keys are stored in their canonical string form so that one type serves all three key kinds.
/// </summary>
public readonly struct GrainId : IEquatable<GrainId>
{
    /// <summary>Creates a grain id.</summary>
    public GrainId(string type, string key)
    {
        Type = type ?? throw new ArgumentNullException(nameof(type));
        Key = key ?? throw new ArgumentNullException(nameof(key));
    }

    /// <summary>The grain type name, e.g. <c>kv</c>.</summary>
    public string Type { get; }

    /// <summary>The key within the grain type.</summary>
    public string Key { get; }

    /// <summary>True for the default (empty) value.</summary>
    public bool IsDefault => Type is null;

    /// <summary>Canonical string form of a Guid key.</summary>
    public static string KeyOf(Guid key) => key.ToString("N");

    /// <summary>Canonical string form of an integer key.</summary>
    public static string KeyOf(long key) => key.ToString(CultureInfo.InvariantCulture);

    /// <summary>A stable 32-bit hash (independent of process, unlike string.GetHashCode) used for placement.</summary>
    public uint GetUniformHashCode() => StableHash.Of(Type, Key);

    /// <inheritdoc/>
    public bool Equals(GrainId other) => string.Equals(Type, other.Type, StringComparison.Ordinal) && string.Equals(Key, other.Key, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GrainId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Key);

    /// <inheritdoc/>
    public override string ToString() => $"{Type}/{Key}";

    /// <summary>Equality.</summary>
    public static bool operator ==(GrainId left, GrainId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(GrainId left, GrainId right) => !left.Equals(right);
}
