using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>What a key grain stores: its recent versions (oldest first, the newest is the current one) and when it was created.</summary>
[GenerateSerializer]
[Alias("flo.kv.key-state")]
public sealed class KvKeyState
{
    /// <summary>The last <see cref="KvKeys.HistoryDepth"/> versions, oldest first.</summary>
    [Id(0)] public List<KvVersion> History { get; set; } = [];

    /// <summary>When the live key was created (the put after it did not exist).</summary>
    [Id(1)] public long CreatedMs { get; set; }
}
