using System.Collections.Concurrent;
using Flo.Storage;

namespace Flo.Runtime.Storage;

/// <summary>
/// Grain state in process memory, <b>for tests</b>: nothing survives the process. Thread-safe, so one instance can be
/// shared by the silos of an in-process test cluster and behave like one database (same ETag rules and tombstones as
/// the SQL providers).
/// </summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<GrainStateKey, Row> rows = new();

    // A state's records, locked while a write checks the state's version and applies its record changes, so the two
    // are one atomic step as in the SQL providers.
    private readonly ConcurrentDictionary<GrainStateKey, SortedDictionary<long, byte[]>> records = new();

    /// <summary>The number of records, tombstones included.</summary>
    public int Count => rows.Count;

    /// <inheritdoc/>
    public Task<GrainStateRecord> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(rows.TryGetValue(key, out var row) ? row.ToRecord() : GrainStateRecord.None);
    }

    /// <inheritdoc/>
    public Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> data, string? expectedEtag, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        cancellationToken.ThrowIfCancellationRequested();
        // Copied so that the caller reusing its buffer cannot change what is stored.
        return Task.FromResult(Apply("write", key, data.ToArray(), expectedEtag));
    }

    /// <inheritdoc/>
    public Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> changes, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        GrainRecordChanges.Validate(key, changes);
        cancellationToken.ThrowIfCancellationRequested();
        var set = records.GetOrAdd(key, static _ => []);
        lock (set)
        {
            var etag = Apply("write", key, data.ToArray(), expectedEtag);
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

    /// <inheritdoc/>
    public Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(GrainId grainId, string stateName, long afterId, int limit, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
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

    /// <inheritdoc/>
    public Task<string?> ClearAsync(GrainId grainId, string stateName, string? expectedEtag, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        cancellationToken.ThrowIfCancellationRequested();
        var set = records.GetOrAdd(key, static _ => []);
        lock (set)
        {
            var etag = Apply("clear", key, null, expectedEtag);
            set.Clear();
            return Task.FromResult<string?>(etag);
        }
    }

    private string Apply(string operation, GrainStateKey key, byte[]? payload, string? expectedEtag)
    {
        // Rows are immutable and swapped with compare-and-exchange: a writer wins only if the row it checked is still there.
        while (true)
        {
            if (!rows.TryGetValue(key, out var current))
            {
                if (expectedEtag is not null)
                {
                    throw InconsistentStateErrors.Conflict(operation, key, expectedEtag, GrainStateRecord.None);
                }
                if (rows.TryAdd(key, new Row(payload, 1)))
                {
                    return GrainStateEtag.Format(1);
                }
                continue;
            }

            if (expectedEtag is null || !GrainStateEtag.TryParse(expectedEtag, out var expected) || expected != current.Version)
            {
                throw InconsistentStateErrors.Conflict(operation, key, expectedEtag, current.ToRecord());
            }
            var next = new Row(payload, current.Version + 1);
            if (rows.TryUpdate(key, next, current))
            {
                return GrainStateEtag.Format(next.Version);
            }
        }
    }

    /// <summary>A stored version; a null payload is a tombstone.</summary>
    private sealed class Row(byte[]? payload, long version)
    {
        public long Version { get; } = version;

        public GrainStateRecord ToRecord()
            => payload is null ? new GrainStateRecord(default, GrainStateEtag.Format(Version), false) : new GrainStateRecord(payload, GrainStateEtag.Format(Version), true);
    }
}
