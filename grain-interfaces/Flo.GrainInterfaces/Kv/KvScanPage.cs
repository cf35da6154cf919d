namespace Flo.Kv;

/// <summary>One page of a scan: keys in UTF-8 byte order, and the cursor of the next page when there is one.</summary>
public sealed record KvScanPage(IReadOnlyList<string> Keys, bool HasMore, string? Cursor);
