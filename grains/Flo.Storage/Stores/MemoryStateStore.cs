using System.Collections.Concurrent;

namespace Flo.Storage.Stores;

/// <summary>
/// Grain state in process memory, <b>for tests</b>: nothing survives the process. Thread-safe and, when named, shared
/// through a process-wide registry, so the silos of an in-process test cluster behave as if on one database (same
/// ETag rules and tombstones as the SQL stores).
/// </summary>
internal sealed class MemoryStateStore : IStateStore
{
    private static readonly ConcurrentDictionary<string, MemoryStateStore> Shared = new(StringComparer.Ordinal);

    // One entry per state: its stored version and its records, changed together under the entry's lock, so a write's
    // version check and its record changes are one atomic step as in the SQL stores (and a write looks its state up once).
    private readonly ConcurrentDictionary<StateKey, Entry> states = new();

    // Per state name: the listed grain ids (see GrainListingChange), changed under the lock of the state's entry.
    private readonly ConcurrentDictionary<string, Listing> listings = new(StringComparer.Ordinal);

    private MemoryStateStore(string? name) => Name = name;

    /// <summary>The shared store's name; null for a private one.</summary>
    public string? Name { get; }

    public FloStorageProvider Provider => FloStorageProvider.Memory;

    public int SchemaVersion => 0;

    public WriteBatchStatistics Statistics => default;

    /// <summary>The process-wide store named <paramref name="name"/> (created on first use), or a private one for null.</summary>
    public static MemoryStateStore Get(string? name)
        => string.IsNullOrEmpty(name) ? new MemoryStateStore(null) : Shared.GetOrAdd(name, static n => new MemoryStateStore(n));

    /// <summary>Forgets a shared store (its data goes once nobody holds it).</summary>
    public static bool Remove(string name) => Shared.TryRemove(name, out _);

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<StoredState> ReadAsync(StateKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!states.TryGetValue(key, out var entry))
        {
            return Task.FromResult(StoredState.None);
        }
        lock (entry)
        {
            return Task.FromResult(entry.ToStored());
        }
    }

    public Task<string> WriteAsync(StateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> changes, GrainListingChange? listing, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Copied so that the caller reusing its buffer cannot change what is stored.
        var payload = data.ToArray();
        var entry = states.GetOrAdd(key, static _ => new Entry());
        lock (entry)
        {
            var etag = entry.Apply("write", key, payload, expectedEtag);
            if (changes.Count > 0)
            {
                var records = entry.Records ??= new SortedList<long, byte[]>(changes.Count);
                foreach (var change in changes)
                {
                    if (change.Data is { } bytes)
                    {
                        records[change.Id] = bytes.ToArray();
                    }
                    else
                    {
                        records.Remove(change.Id);
                    }
                }
            }
            if (listing is { } listingChange)
            {
                ListingOf(key.StateName).Apply(key.GrainId, listingChange);
            }
            return Task.FromResult(etag);
        }
    }

    public Task<string> ClearAsync(StateKey key, string? expectedEtag, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entry = states.GetOrAdd(key, static _ => new Entry());
        lock (entry)
        {
            var etag = entry.Apply("clear", key, null, expectedEtag);
            entry.Records = null;
            if (listings.TryGetValue(key.StateName, out var listing))
            {
                listing.Apply(key.GrainId, GrainListingChange.Unlist);
            }
            return Task.FromResult(etag);
        }
    }

    public Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(StateKey key, long afterId, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<GrainRecord>();
        if (states.TryGetValue(key, out var entry))
        {
            lock (entry)
            {
                if (entry.Records is { } records)
                {
                    // Ids ascend, so the first one after the cursor is found by binary search over the keys.
                    var ids = records.Keys;
                    var values = records.Values;
                    for (var i = FirstAfter(ids, afterId); i < ids.Count && result.Count < limit; i++)
                    {
                        result.Add(new GrainRecord(ids[i], values[i]));
                    }
                }
            }
        }
        return Task.FromResult<IReadOnlyList<GrainRecord>>(result);
    }

    /// <summary>The index of the first id greater than <paramref name="afterId"/> in ascending <paramref name="ids"/>.</summary>
    private static int FirstAfter(IList<long> ids, long afterId)
    {
        int low = 0, high = ids.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (ids[middle] <= afterId)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    public Task<IReadOnlyList<ListedGrain>> ListAsync(string stateName, string grainIdPrefix, string? afterGrainId, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(listings.TryGetValue(stateName, out var listing) ? listing.List(grainIdPrefix, afterGrainId, limit) : (IReadOnlyList<ListedGrain>)[]);
    }

    public Task<IReadOnlyList<ListedGrain>> ListDueAsync(string stateName, string grainIdPrefix, long dueBy, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(listings.TryGetValue(stateName, out var listing) ? listing.ListDue(grainIdPrefix, dueBy, limit) : (IReadOnlyList<ListedGrain>)[]);
    }

    public Task<bool> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public string Describe() => Name is null
        ? "memory storage (for tests: nothing survives the process)"
        : $"memory storage '{Name}' shared by the silos of this process (for tests: nothing survives the process)";

    /// <summary>Nothing to release: a shared store outlives the silos using it, as a database would.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Listing ListingOf(string stateName) => listings.GetOrAdd(stateName, static _ => new Listing());

    /// <summary>
    /// The listed states of one state name, in stripes by grain id, each with its own lock: many grains created at once
    /// (a pipeline of new keys) list themselves without queueing on one lock. A scan merges the stripes' pages.
    /// </summary>
    private sealed class Listing
    {
        private const int StripeCount = 16;

        private static readonly Comparer<(long Due, string Id)> DueOrder = Comparer<(long Due, string Id)>.Create(
            static (a, b) => a.Due != b.Due ? a.Due.CompareTo(b.Due) : Utf8Order.Instance.Compare(a.Id, b.Id));

        private readonly Stripe[] stripes = [.. Enumerable.Range(0, StripeCount).Select(_ => new Stripe())];

        public void Apply(string grainId, GrainListingChange change)
            => stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(grainId) % StripeCount)].Apply(grainId, change);

        public IReadOnlyList<ListedGrain> List(string prefix, string? after, int limit)
        {
            var merged = new List<ListedGrain>();
            foreach (var stripe in stripes)
            {
                stripe.List(prefix, after, limit, merged);
            }
            merged.Sort(static (a, b) => Utf8Order.Instance.Compare(a.Key, b.Key));
            return merged.Count > limit ? merged[..limit] : merged;
        }

        public IReadOnlyList<ListedGrain> ListDue(string prefix, long dueBy, int limit)
        {
            var merged = new List<ListedGrain>();
            foreach (var stripe in stripes)
            {
                stripe.ListDue(prefix, dueBy, limit, merged);
            }
            merged.Sort(static (a, b) => DueOrder.Compare((a.DueMs, a.Key), (b.DueMs, b.Key)));
            return merged.Count > limit ? merged[..limit] : merged;
        }

        private sealed class Stripe
        {
            private readonly SortedSet<string> ids = new(Utf8Order.Instance);
            private readonly Dictionary<string, long> dues = new(StringComparer.Ordinal);
            private readonly SortedSet<(long Due, string Id)> byDue = new(DueOrder);

            public void Apply(string grainId, GrainListingChange change)
            {
                lock (ids)
                {
                    if (dues.Remove(grainId, out var due) && due != 0)
                    {
                        byDue.Remove((due, grainId));
                    }
                    if (!change.Listed)
                    {
                        ids.Remove(grainId);
                        return;
                    }
                    ids.Add(grainId);
                    dues[grainId] = change.DueMs;
                    if (change.DueMs != 0)
                    {
                        byDue.Add((change.DueMs, grainId));
                    }
                }
            }

            /// <summary>Adds this stripe's first <paramref name="limit"/> ids with the prefix after the cursor to <paramref name="into"/>.</summary>
            public void List(string prefix, string? after, int limit, List<ListedGrain> into)
            {
                lock (ids)
                {
                    var lower = after is not null && Utf8Order.Instance.Compare(after, prefix) > 0 ? after : prefix;
                    if (ids.Count == 0 || Utf8Order.Instance.Compare(lower, ids.Max) > 0)
                    {
                        return;
                    }
                    var taken = 0;
                    foreach (var id in ids.GetViewBetween(lower, ids.Max!))
                    {
                        if (after is not null && Utf8Order.Instance.Compare(id, after) <= 0)
                        {
                            continue;
                        }
                        if (!id.StartsWith(prefix, StringComparison.Ordinal) || taken++ == limit)
                        {
                            break;
                        }
                        into.Add(new ListedGrain(id, dues[id]));
                    }
                }
            }

            /// <summary>Adds this stripe's first <paramref name="limit"/> due ids with the prefix to <paramref name="into"/>.</summary>
            public void ListDue(string prefix, long dueBy, int limit, List<ListedGrain> into)
            {
                lock (ids)
                {
                    var taken = 0;
                    foreach (var (due, id) in byDue)
                    {
                        if (due > dueBy || taken == limit)
                        {
                            break;
                        }
                        if (id.StartsWith(prefix, StringComparison.Ordinal))
                        {
                            into.Add(new ListedGrain(id, due));
                            taken++;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// One state: its stored version (none until the first write; a null payload after is a tombstone) and its records.
    /// Guarded by locking the entry.
    /// </summary>
    private sealed class Entry
    {
        private byte[]? payload;
        private long version;

        public SortedList<long, byte[]>? Records { get; set; }

        public StoredState ToStored()
            => version == 0 ? StoredState.None
                : payload is null ? new StoredState(default, StateEtag.Format(version), false)
                : new StoredState(payload, StateEtag.Format(version), true);

        /// <summary>Stores <paramref name="next"/> if <paramref name="expectedEtag"/> names the stored version (null: none stored yet).</summary>
        public string Apply(string operation, StateKey key, byte[]? next, string? expectedEtag)
        {
            var matches = version == 0
                ? expectedEtag is null
                : expectedEtag is not null && StateEtag.TryParse(expectedEtag, out var expected) && expected == version;
            if (!matches)
            {
                throw InconsistentStateErrors.Conflict(operation, key, expectedEtag, ToStored());
            }
            payload = next;
            version++;
            return StateEtag.Format(version);
        }
    }
}
