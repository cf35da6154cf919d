using System.Buffers.Binary;
using System.Text;

namespace Flo.Kv;

/// <summary>
/// Scan cursors: the last key returned, so a cursor stays valid while keys are added or removed (the next page
/// starts after it; nothing is returned twice, nothing that existed throughout is skipped). Opaque to clients:
/// base64url of a format byte, the key's UTF-8 bytes and a checksum over namespace and key, so a cursor from
/// another namespace or an altered one is rejected rather than silently misread.
/// </summary>
public static class KvCursor
{
    private const byte Format = 1;

    /// <summary>Encodes the cursor after <paramref name="lastKey"/>.</summary>
    public static string Encode(string ns, string lastKey)
    {
        var key = Encoding.UTF8.GetBytes(lastKey);
        var bytes = new byte[1 + key.Length + 4];
        bytes[0] = Format;
        key.CopyTo(bytes, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(1 + key.Length), StableHash.Of(ns, lastKey));
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Decodes a cursor, or throws <see cref="InvalidCursorException"/>.</summary>
    public static string Decode(string ns, string cursor)
    {
        try
        {
            var text = cursor.Replace('-', '+').Replace('_', '/');
            text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
            var bytes = Convert.FromBase64String(text);
            if (bytes.Length < 5 || bytes[0] != Format)
            {
                throw new InvalidCursorException("The scan cursor is not one this server issued.");
            }
            var key = new UTF8Encoding(false, true).GetString(bytes, 1, bytes.Length - 5);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) != StableHash.Of(ns, key))
            {
                throw new InvalidCursorException("The scan cursor was altered or belongs to another namespace.");
            }
            return key;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or DecoderFallbackException)
        {
            throw new InvalidCursorException("The scan cursor is not one this server issued.");
        }
    }
}
