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

    private readonly ConcurrentDictionary<StateKey, Row> rows = new();

    // A state's records, locked while a write checks the state's version and applies its record changes, so the two
    // are one atomic step as in the SQL stores.
    private readonly ConcurrentDictionary<StateKey, SortedDictionary<long, byte[]>> records = new();

    private MemoryStateStore(string? name) => Name = name;

    /// <summary>The shared store's name; null for a private one.</summary>
    public string? Name { get; }

    /// <summary>The number of stored states, tombstones included.</summary>
    public int Count => rows.Count;

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
        return Task.FromResult(rows.TryGetValue(key, out var row) ? row.ToStored() : StoredState.None);
    }

    public Task<string> WriteAsync(StateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> changes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Copied so that the caller reusing its buffer cannot change what is stored.
        var payload = data.ToArray();
        if (changes.Count == 0)
        {
            return Task.FromResult(Apply("write", key, payload, expectedEtag));
        }
        var set = records.GetOrAdd(key, static _ => []);
        lock (set)
        {
            var etag = Apply("write", key, payload, expectedEtag);
            foreach (var change in changes)
            {
                if (change.Data is { } bytes)
                {
                    set[change.Id] = bytes.ToArray();
                }
                else
                {
                    set.Remove(change.Id);
                }
            }
            return Task.FromResult(etag);
        }
    }

    public Task<string> ClearAsync(StateKey key, string? expectedEtag, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var set = records.GetOrAdd(key, static _ => []);
        lock (set)
        {
            var etag = Apply("clear", key, null, expectedEtag);
            set.Clear();
            return Task.FromResult(etag);
        }
    }

    public Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(StateKey key, long afterId, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<GrainRecord>();
        if (records.TryGetValue(key, out var set))
        {
            lock (set)
            {
                foreach (var (id, bytes) in set)
                {
                    if (id <= afterId)
                    {
                        continue;
                    }
                    if (result.Count == limit)
                    {
                        break;
                    }
                    result.Add(new GrainRecord(id, bytes));
                }
            }
        }
        return Task.FromResult<IReadOnlyList<GrainRecord>>(result);
    }

    public Task<bool> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public string Describe() => Name is null
        ? "memory storage (for tests: nothing survives the process)"
        : $"memory storage '{Name}' shared by the silos of this process (for tests: nothing survives the process)";

    /// <summary>Nothing to release: a shared store outlives the silos using it, as a database would.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string Apply(string operation, StateKey key, byte[]? payload, string? expectedEtag)
    {
        // Rows are immutable and swapped with compare-and-exchange: a writer wins only if the row it checked is still there.
        while (true)
        {
            if (!rows.TryGetValue(key, out var current))
            {
                if (expectedEtag is not null)
                {
                    throw InconsistentStateErrors.Conflict(operation, key, expectedEtag, StoredState.None);
                }
                if (rows.TryAdd(key, new Row(payload, 1)))
                {
                    return StateEtag.Format(1);
                }
                continue;
            }

            if (expectedEtag is null || !StateEtag.TryParse(expectedEtag, out var expected) || expected != current.Version)
            {
                throw InconsistentStateErrors.Conflict(operation, key, expectedEtag, current.ToStored());
            }
            var next = new Row(payload, current.Version + 1);
            if (rows.TryUpdate(key, next, current))
            {
                return StateEtag.Format(next.Version);
            }
        }
    }

    /// <summary>A stored version; a null payload is a tombstone.</summary>
    private sealed class Row(byte[]? payload, long version)
    {
        public long Version { get; } = version;

        public StoredState ToStored()
            => payload is null ? new StoredState(default, StateEtag.Format(Version), false) : new StoredState(payload, StateEtag.Format(Version), true);
    }
}
