using System.Collections.Concurrent;
using Flo.Grains.Diagnostics;
using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// The silo's table of its active key grains' current values (<see cref="IKvLocalReads"/>): a key grain publishes its
/// live value once it is stored (on activation and after each write that moved it), and withdraws it when it
/// deactivates, so a RESP or HTTP GET on this silo is a dictionary read instead of a grain call.
/// </summary>
/// <remarks>
/// Why it is linearizable: the grain publishes before it answers the write, so a get sent after a put returned sees it
/// (or a newer value); it publishes only stored versions, in its turns, so readers never see a value before it is
/// durable nor a version older than one they saw. A grain that is not active here has no entry (it withdraws in
/// <c>OnDeactivateAsync</c>, before Orleans lets the key activate anywhere else), so a key that moved is read from its
/// grain. Expiry is decided at read time by the same clock as the grain's.
/// </remarks>
public sealed class KvLocalValues(TimeProvider time) : IKvLocalReads
{
    private readonly ConcurrentDictionary<(string Ns, string Key), Published> values = new();

    /// <inheritdoc/>
    public bool TryGet(string ns, string key, out KvEntry? entry)
    {
        if (!values.TryGetValue((ns, key), out var published))
        {
            entry = null;
            return false;
        }
        entry = published.Entry is { } e && !KvKeyVersions.Expired(e.ExpiresAtMs, time.GetUtcNow().ToUnixTimeMilliseconds()) ? e : null;
        FloInstruments.CountKv(ns, "get", entry is null ? "not_found" : "ok");
        return true;
    }

    /// <summary>Sets the key's value as its grain <paramref name="owner"/> stored it (null: none).</summary>
    internal void Publish(object owner, string ns, string key, KvEntry? entry) => values[(ns, key)] = new Published(owner, entry);

    /// <summary>Removes the key's value if <paramref name="owner"/> published it (a newer activation's stays).</summary>
    internal void Withdraw(object owner, string ns, string key)
    {
        if (values.TryGetValue((ns, key), out var published) && ReferenceEquals(published.Owner, owner))
        {
            values.TryRemove(KeyValuePair.Create((ns, key), published));
        }
    }

    // A class, not a record: Withdraw removes the very instance it read (reference equality).
    private sealed class Published(object owner, KvEntry? entry)
    {
        public object Owner { get; } = owner;

        public KvEntry? Entry { get; } = entry;
    }
}
