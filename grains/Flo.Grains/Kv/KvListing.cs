using Flo.Storage;

namespace Flo.Grains.Kv;

/// <summary>
/// Where the key index lives: the storage's listing of the key grains' states (state <see cref="StateName"/> of
/// grain type <see cref="GrainType"/>), keyed <c>namespace/key</c>, each with its expiry as the due time (0: none;
/// negative: listed before its expiry was known, shown until the sweep settles it).
/// </summary>
internal static class KvListing
{
    /// <summary>The key grain's state name (<c>[StateWithRecords("kv", ...)]</c>).</summary>
    public const string StateName = "kv";

    /// <summary>The key grain's type (<c>[GrainType("kv")]</c>).</summary>
    public static readonly GrainType GrainType = GrainType.Create("kv");

    /// <summary>Whether a listed key is live at <paramref name="nowMs"/>: no expiry, not yet settled, or expiring later.</summary>
    public static bool IsLive(ListedGrain listed, long nowMs) => listed.DueMs <= 0 || listed.DueMs > nowMs;
}
