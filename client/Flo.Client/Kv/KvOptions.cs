namespace Flo.Kv;

/// <summary>Options of a get (seed: <c>GetOptions(block_ms)</c>).</summary>
/// <param name="BlockMs">If the key does not exist, wait up to this long for it to be written (0: do not wait).</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record GetOptions(int BlockMs = 0, string? Namespace = null);

/// <summary>Options of a put (seed: <c>PutOptions(ttl_seconds, cas_version, if_not_exists)</c>).</summary>
/// <param name="TtlSeconds">Expiry in seconds; null for none (a put without TTL clears an earlier one).</param>
/// <param name="CasVersion">Succeed only if the current version is this (0: the key must not exist).</param>
/// <param name="IfNotExists">Succeed only if the key does not exist (an expired key does not exist).</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record PutOptions(long? TtlSeconds = null, long? CasVersion = null, bool IfNotExists = false, string? Namespace = null);

/// <summary>Options of a scan (seed: <c>ScanOptions(limit, cursor)</c>).</summary>
/// <param name="Limit">Keys per page: default 100, at most 1,000.</param>
/// <param name="Cursor">The previous page's cursor; null for the first page.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record ScanOptions(int Limit = KvKeys.DefaultScanLimit, string? Cursor = null, string? Namespace = null);

/// <summary>Options of a history read (seed: <c>HistoryOptions(limit)</c>).</summary>
/// <param name="Limit">Versions, newest first: default 10, at most 64.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record HistoryOptions(int Limit = 10, string? Namespace = null);

/// <summary>Options of a delete or a watch.</summary>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record KvOptions(string? Namespace = null);
