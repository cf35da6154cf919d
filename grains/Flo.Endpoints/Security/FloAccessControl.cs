using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Flo.Security;

/// <summary>
/// The cluster's access tokens, shared by the Orleans gateway's call filter, HTTP and RESP: finds the grant of a
/// presented token. Tokens are kept only as SHA-256 hashes and compared in constant time, so neither memory nor the
/// time a lookup takes gives a token away. With no tokens the cluster is open (<see cref="Enabled"/> false).
/// </summary>
public sealed class FloAccessControl
{
    private readonly Dictionary<UInt128, (byte[] Hash, FloTokenGrant Grant)> tokens;

    /// <summary>No tokens: every request is allowed (the default on one machine).</summary>
    public static FloAccessControl Open { get; } = new([]);

    /// <summary>Creates the table from token hashes (SHA-256 of the token's UTF-8 bytes) and their grants; a hash listed twice merges its grants.</summary>
    public FloAccessControl(IEnumerable<(byte[] Sha256, FloTokenGrant Grant)> entries)
    {
        tokens = [];
        foreach (var (hash, grant) in entries)
        {
            if (hash.Length != SHA256.HashSizeInBytes)
            {
                throw new ArgumentException($"A token hash is {SHA256.HashSizeInBytes} bytes; got {hash.Length}.", nameof(entries));
            }
            var key = KeyOf(hash);
            tokens[key] = tokens.TryGetValue(key, out var known) ? (hash, known.Grant.Merge(grant)) : (hash, grant);
        }
    }

    /// <summary>Whether tokens are required (at least one is configured).</summary>
    public bool Enabled => tokens.Count > 0;

    /// <summary>The grant of <paramref name="token"/>, or null when it is empty or not a known token.</summary>
    public FloTokenGrant? Find(ReadOnlySpan<char> token)
    {
        if (token.IsEmpty || tokens.Count == 0)
        {
            return null;
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var utf8 = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(token, utf8);
            SHA256.HashData(utf8[..written], hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
        // The dictionary narrows by the hash's first half; the full hash is then compared in constant time.
        return tokens.TryGetValue(KeyOf(hash), out var entry) && CryptographicOperations.FixedTimeEquals(entry.Hash, hash) ? entry.Grant : null;
    }

    /// <summary>
    /// Checks a request: null when <paramref name="token"/> may read (or, with <paramref name="write"/>, write)
    /// <paramref name="ns"/> (null: the cluster-wide APIs) or when no tokens are configured; otherwise why not.
    /// </summary>
    public FloAccessDenial? Check(string? token, string? ns, bool write, out FloTokenGrant? grant)
    {
        grant = null;
        if (!Enabled)
        {
            return null;
        }
        if (string.IsNullOrEmpty(token))
        {
            return FloAccessDenial.NoToken;
        }
        grant = Find(token);
        return grant is null ? FloAccessDenial.UnknownToken : grant.Allows(ns, write) ? null : FloAccessDenial.NotGranted;
    }

    /// <summary>The SHA-256 hash of a token (its UTF-8 bytes), as <c>Cluster:Security:Tokens:n:TokenSha256</c> holds it in hex.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static UInt128 KeyOf(ReadOnlySpan<byte> hash) => BinaryPrimitives.ReadUInt128LittleEndian(hash);
}
