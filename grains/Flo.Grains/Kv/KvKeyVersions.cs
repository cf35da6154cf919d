using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// A key grain's versions in memory, oldest first: every kept (stored) version plus the ones applied but not yet
/// stored. Readers see only stored versions (up to <see cref="LastStored"/>); writers decide on the newest applied
/// one. Used from the grain's turns only, so it needs no locks.
/// </summary>
internal sealed class KvKeyVersions
{
    private readonly List<(KvVersion Version, long CreatedMs)> kept = new(1);

    /// <summary>The newest version applied (stored or not); 0 when there is none.</summary>
    public long LastApplied => kept.Count == 0 ? 0 : kept[^1].Version.Version;

    /// <summary>The newest stored version; readers see nothing newer.</summary>
    public long LastStored { get; private set; }

    /// <summary>The newest applied version, or null.</summary>
    public KvVersion? Current => kept.Count == 0 ? null : kept[^1].Version;

    /// <summary>Loads what storage holds (all of it is stored, so readers see all of it).</summary>
    public void Load(IEnumerable<KvVersion> stored, long createdMs)
    {
        kept.Clear();
        foreach (var v in stored)
        {
            kept.Add((v, createdMs));
        }
        LastStored = LastApplied;
    }

    /// <summary>Adds a version applied in memory; readers see it once <see cref="MarkStored"/> covers it.</summary>
    public void Append(KvVersion version, long createdMs) => kept.Add((version, createdMs));

    /// <summary>Drops versions older than <paramref name="firstKept"/>, but never the newest stored one (readers need it).</summary>
    public void TrimBefore(long firstKept)
    {
        var drop = 0;
        while (drop < kept.Count && kept[drop].Version.Version < firstKept && kept[drop].Version.Version < LastStored)
        {
            drop++;
        }
        if (drop > 0)
        {
            kept.RemoveRange(0, drop);
        }
    }

    /// <summary>Replaces every version by one (an expired key's marker); it counts as stored once marked.</summary>
    public void ReplaceAllWith(KvVersion marker)
    {
        var createdMs = kept.Count == 0 ? 0 : kept[^1].CreatedMs;
        kept.Clear();
        kept.Add((marker, createdMs));
    }

    /// <summary>Versions up to <paramref name="version"/> are stored; false when that changes nothing.</summary>
    public bool MarkStored(long version)
    {
        if (version <= LastStored)
        {
            return false;
        }
        LastStored = version;
        return true;
    }

    /// <summary>The live value as readers see it (stored versions only), or null.</summary>
    public KvEntry? LiveStored(string key, long now) => Live(key, IndexOf(LastStored), now);

    /// <summary>The live value as writers decide on it (the newest applied version), or null.</summary>
    public KvEntry? LiveApplied(string key, long now) => Live(key, kept.Count - 1, now);

    /// <summary>Stored versions, newest first, at most <paramref name="limit"/> (and at most the kept history).</summary>
    public KvVersion[] StoredNewestFirst(int limit)
    {
        var result = new List<KvVersion>(Math.Min(limit, KvKeys.HistoryDepth));
        for (var i = IndexOf(LastStored); i >= 0 && result.Count < limit && result.Count < KvKeys.HistoryDepth; i--)
        {
            result.Add(kept[i].Version);
        }
        return [.. result];
    }

    /// <summary>
    /// Stored versions after <paramref name="after"/>, oldest first, at most <paramref name="limit"/>; the first carries
    /// how many versions after the cursor are no longer kept (<see cref="KvVersion.Skipped"/>).
    /// </summary>
    public KvVersion[] StoredAfter(long after, int limit)
    {
        var last = IndexOf(LastStored);
        if (last < 0 || kept[last].Version.Version <= after)
        {
            return [];
        }
        var first = last;
        while (first > 0 && kept[first - 1].Version.Version > after)
        {
            first--;
        }
        var count = Math.Min(limit, last - first + 1);
        var result = new KvVersion[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = kept[first + i].Version;
        }
        var skipped = result[0].Version - after - 1;
        if (skipped > 0)
        {
            result[0] = result[0] with { Skipped = skipped };
        }
        return result;
    }

    /// <summary>Whether a value expiring at <paramref name="expiresAtMs"/> (0: never) is gone at <paramref name="nowMs"/>.</summary>
    public static bool Expired(long expiresAtMs, long nowMs) => expiresAtMs != 0 && expiresAtMs <= nowMs;

    private int IndexOf(long version)
    {
        for (var i = kept.Count - 1; i >= 0; i--)
        {
            if (kept[i].Version.Version <= version)
            {
                return i;
            }
        }
        return -1;
    }

    private KvEntry? Live(string key, int index, long now)
    {
        if (index < 0 || kept[index].Version is not { IsTombstone: false, Value: { } value } current)
        {
            return null;
        }
        if (Expired(current.ExpiresAtMs, now))
        {
            return null;
        }
        return new KvEntry
        {
            Key = key,
            Value = value,
            Version = current.Version,
            CreatedMs = kept[index].CreatedMs,
            UpdatedMs = current.TimestampMs,
            ExpiresAtMs = current.ExpiresAtMs,
        };
    }
}
