namespace Flo.Grains.Kv;

/// <summary>What an index partition stores: its keys and their expiry (0: none).</summary>
[GenerateSerializer]
[Alias("flo.kv.index-state")]
public sealed class KvIndexState
{
    /// <summary>Key → expiry in ms since the epoch (0: none).</summary>
    [Id(0)] public Dictionary<string, long> Keys { get; set; } = [];
}
