namespace Flo.Serialization;

/// <summary>
/// How a value is laid out on the wire. Every field carries its wire type in its tag, so a reader can skip
/// fields it does not know (that is what makes the format version-tolerant). Values are frozen: stored state
/// depends on them.
/// </summary>
public enum WireType : byte
{
    /// <summary>Variable-length integer (zig-zag for signed types).</summary>
    VarInt = 0,
    /// <summary>Four little-endian bytes.</summary>
    Fixed32 = 1,
    /// <summary>Eight little-endian bytes.</summary>
    Fixed64 = 2,
    /// <summary>A varint length then that many bytes (strings, byte arrays, Guids, decimals).</summary>
    LengthPrefixed = 3,
    /// <summary>An object: tagged fields until <see cref="EndObject"/>.</summary>
    StartObject = 4,
    /// <summary>Ends an object.</summary>
    EndObject = 5,
    /// <summary>A null value; no payload.</summary>
    Null = 6,
    /// <summary>A varint element count, then that many tagged values (field id 0).</summary>
    List = 7,
}
