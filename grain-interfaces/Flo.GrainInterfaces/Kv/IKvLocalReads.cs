namespace Flo.Kv;

/// <summary>
/// Current values of the keys whose grains are active in this process, as those grains last stored them, so a read on
/// the silo that holds the key is answered without a grain call. Only a silo has one; <see cref="KvApi"/> asks it first
/// for non-blocking gets and calls the key's grain whenever it does not know the key.
/// </summary>
public interface IKvLocalReads
{
    /// <summary>
    /// True when the key's grain is active here: <paramref name="entry"/> is then what its <c>Get</c> would answer now
    /// (null when the key does not exist or expired). False when it is not: ask the grain.
    /// </summary>
    bool TryGet(string ns, string key, out KvEntry? entry);
}
