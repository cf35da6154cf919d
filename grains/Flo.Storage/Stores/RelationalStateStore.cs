using System.Data.Common;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Flo.Storage.Stores;

/// <summary>
/// Grain state in an ADO.NET database (SQLite, PostgreSQL). Reads go straight to a pooled connection; writes and clears
/// go through a <see cref="WriteBatcher"/> and are each one conditional statement inside a batch transaction:
/// <list type="bullet">
/// <item>expected ETag null: <c>INSERT ... ON CONFLICT DO NOTHING RETURNING version</c> (version 1; a tombstone for a clear);</item>
/// <item>expected ETag v: <c>UPDATE ... SET payload = @payload, version = version + 1 WHERE ... AND version = v RETURNING version</c>
/// (payload NULL for a clear, which leaves a tombstone).</item>
/// </list>
/// Zero rows returned means the ETag did not match: the caller gets an <see cref="InconsistentStateException"/> naming
/// the grain, the state and both ETags; the other writes of the batch are unaffected. Record changes run in the same
/// transaction, only when the state's condition held.
/// </summary>
internal abstract partial class RelationalStateStore : IStateStore
{
    private readonly WriteBatcher batcher;
    private readonly ILogger logger;

    /// <summary>The exclusive upper bound of the grain ids a listing prefix covers.</summary>
    private static string UpperBound(string prefix)
        => Utf8Order.PrefixEnd(prefix) ?? throw new ArgumentException("A listing prefix needs a character below U+10FFFF.", nameof(prefix));

    /// <summary>Reads the rows of a listing query: (grain id, due time), in the query's order.</summary>
    private protected static async Task<IReadOnlyList<ListedGrain>> ReadListingRowsAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var listed = new List<ListedGrain>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            listed.Add(new ListedGrain(reader.GetString(0), reader.GetInt64(1)));
        }
        return listed;
    }

    /// <summary>Reads the rows of a records query: (record id, data), in the query's order.</summary>
    private protected static async Task<IReadOnlyList<GrainRecord>> ReadRecordRowsAsync(System.Data.Common.DbDataReader reader, CancellationToken cancellationToken)
    {
        var records = new List<GrainRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new GrainRecord(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        }
        return records;
    }

    private protected RelationalStateStore(string name, FloStorageProvider provider, int maxBatchSize, ILogger logger, int writeBatches = 1)
    {
        this.logger = logger;
        batcher = new WriteBatcher(name, maxBatchSize, ExecuteBatchAsync, logger, writeBatches, provider.ToString().ToLowerInvariant());
    }

    public abstract FloStorageProvider Provider { get; }

    public int SchemaVersion { get; private protected set; }

    public WriteBatchStatistics Statistics => batcher.Statistics;

    public abstract Task InitializeAsync(CancellationToken cancellationToken);

    public abstract Task<StoredState> ReadAsync(StateKey key, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(StateKey key, long afterId, int limit, CancellationToken cancellationToken);

    public abstract Task<bool> CheckHealthAsync(CancellationToken cancellationToken);

    public abstract string Describe();

    public abstract ValueTask DisposeAsync();

    public Task<IReadOnlyList<ListedGrain>> ListAsync(string stateName, string grainIdPrefix, string? afterGrainId, int limit, CancellationToken cancellationToken)
    {
        // Two forms of the lower bound (from the prefix, inclusive; after a cursor, exclusive) keep each a plain range
        // on the primary key.
        var after = afterGrainId is not null && Utf8Order.Instance.Compare(afterGrainId, grainIdPrefix) >= 0;
        return QueryListingAsync(after ? ListingQuery.After : ListingQuery.From, stateName, after ? afterGrainId! : grainIdPrefix, UpperBound(grainIdPrefix), null, limit, cancellationToken);
    }

    public Task<IReadOnlyList<ListedGrain>> ListDueAsync(string stateName, string grainIdPrefix, long dueBy, int limit, CancellationToken cancellationToken)
        => QueryListingAsync(ListingQuery.Due, stateName, grainIdPrefix, UpperBound(grainIdPrefix), dueBy, limit, cancellationToken);

    public async Task<string> WriteAsync(StateKey key, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> records, GrainListingChange? listing, CancellationToken cancellationToken)
    {
        var version = await ExecuteAsync(key, data, expectedEtag, records, listing, cancellationToken).ConfigureAwait(false);
        return version is { } v ? StateEtag.Format(v) : throw await ConflictAsync("write", key, expectedEtag).ConfigureAwait(false);
    }

    public async Task<string> ClearAsync(StateKey key, string? expectedEtag, CancellationToken cancellationToken)
    {
        var version = await ExecuteAsync(key, null, expectedEtag, [], null, cancellationToken).ConfigureAwait(false);
        return version is { } v ? StateEtag.Format(v) : throw await ConflictAsync("clear", key, expectedEtag).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a listing query of <paramref name="stateName"/> over grain ids in [<paramref name="lower"/>,
    /// <paramref name="upper"/>) (lower exclusive for <see cref="ListingQuery.After"/>), due by <paramref name="dueBy"/>
    /// for <see cref="ListingQuery.Due"/>; rows are (grain id, due time).
    /// </summary>
    private protected abstract Task<IReadOnlyList<ListedGrain>> QueryListingAsync(ListingQuery query, string stateName, string lower, string upper, long? dueBy, int limit, CancellationToken cancellationToken);

    /// <summary>The listing queries: by id from a bound, by id after a cursor, by due time.</summary>
    private protected enum ListingQuery
    {
        From,
        After,
        Due,
    }

    /// <summary>Runs the writes in one transaction, in order, setting each one's <see cref="StateWrite.NewVersion"/>; throws on a database error.</summary>
    private protected abstract Task ExecuteBatchAsync(IReadOnlyList<StateWrite> writes);

    /// <summary>Starts executing queued writes.</summary>
    private protected void StartWriting() => batcher.Start();

    /// <summary>Commits the writes already queued and refuses new ones.</summary>
    private protected ValueTask StopWritingAsync() => batcher.DisposeAsync();

    private Task<long?> ExecuteAsync(StateKey key, ReadOnlyMemory<byte>? payload, string? expectedEtag, IReadOnlyList<GrainRecordChange> records, GrainListingChange? listing, CancellationToken cancellationToken)
    {
        long? expected = null;
        if (expectedEtag is not null)
        {
            if (!StateEtag.TryParse(expectedEtag, out var parsed))
            {
                return Task.FromResult<long?>(null);
            }
            expected = parsed;
        }
        return batcher.EnqueueAsync(new StateWrite(key, payload, expected, records, listing), cancellationToken);
    }

    private async Task<InconsistentStateException> ConflictAsync(string operation, StateKey key, string? expectedEtag)
    {
        // The conditional statement only says "zero rows"; read what is there to name it. Not cancellable and never
        // failing: the caller must get the conflict (it deactivates the activation), not a cancellation or a read error.
        StoredState? stored;
        try
        {
            stored = await ReadAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            LogConflictReadFailed(logger, e, key.ToString());
            stored = null;
        }
        return InconsistentStateErrors.Conflict(operation, key, expectedEtag, stored);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Could not read {State} after an ETag conflict; the conflict is reported without the stored ETag")]
    private static partial void LogConflictReadFailed(ILogger logger, Exception error, string state);
}
