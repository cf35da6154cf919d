namespace Flo.Grains.Kv;

/// <summary>
/// What an index partition stores as its state: the next record id. Each key is a record beside it
/// (<see cref="KvIndexEntry"/>), so adding or removing a key writes that key, not the partition's whole set.
/// </summary>
[GenerateSerializer]
[Alias("flo.kv.index-state")]
public sealed class KvIndexState
{
    /// <summary>Key → expiry as the state held them before keys moved into records; moved when the partition activates.</summary>
    [Id(0)] public Dictionary<string, long> Keys { get; set; } = [];

    /// <summary>The id the next new key's record gets.</summary>
    [Id(1)] public long NextId { get; set; } = 1;
}

/// <summary>One key of an index partition, stored as a record beside <see cref="KvIndexState"/>.</summary>
[GenerateSerializer]
[Alias("flo.kv.index-entry")]
public sealed record KvIndexEntry
{
    /// <summary>The key.</summary>
    [Id(0)] public required string Key { get; init; }

    /// <summary>Expiry in ms since the epoch (0: none).</summary>
    [Id(1)] public long ExpiresAtMs { get; init; }
}
