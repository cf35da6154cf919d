using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// What a key grain stores as its state: small bookkeeping only. The versions themselves (values and tombstones) are
/// records beside the state, one per version (record id = version), so a put stores the new version and drops the one
/// that leaves the kept history instead of rewriting all of them.
/// </summary>
[GenerateSerializer]
[Alias("flo.kv.key-state")]
public sealed class KvKeyState
{
    /// <summary>
    /// Versions as the state held them before they moved into records (oldest first); moved into records when the key
    /// activates, empty afterwards.
    /// </summary>
    [Id(0)] public List<KvVersion> History { get; set; } = [];

    /// <summary>When the live key was created (the put after it did not exist).</summary>
    [Id(1)] public long CreatedMs { get; set; }

    /// <summary>The newest stored version (0: never written).</summary>
    [Id(2)] public long LastVersion { get; set; }

    /// <summary>The oldest version still stored as a record (0: none).</summary>
    [Id(3)] public long FirstKept { get; set; }
}
