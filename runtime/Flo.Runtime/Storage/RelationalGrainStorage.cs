using System.Data.Common;
using Flo.Storage;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Storage;

/// <summary>
/// Grain state in an ADO.NET database (SQLite, PostgreSQL). Reads go straight to a pooled connection; writes and clears
/// go through a <see cref="WriteBatcher"/> and are each one conditional statement inside a batch transaction:
/// <list type="bullet">
/// <item>expected ETag null: <c>INSERT ... ON CONFLICT DO NOTHING RETURNING version</c> (version 1; a tombstone for a clear);</item>
/// <item>expected ETag v: <c>UPDATE ... SET payload = @payload, version = version + 1 WHERE ... AND version = v RETURNING version</c>
/// (payload NULL for a clear, which leaves a tombstone).</item>
/// </list>
/// Zero rows returned means the ETag did not match: the caller gets an <see cref="InconsistentStateException"/>
/// naming the grain, the state and both ETags; the other writes of the batch are unaffected.
/// </summary>
public abstract partial class RelationalGrainStorage : IGrainStorage
{
    private readonly WriteBatcher batcher;
    private readonly ILogger logger;

    private protected RelationalGrainStorage(string name, int maxBatchSize, ILogger logger)
    {
        this.logger = logger;
        batcher = new WriteBatcher(name, maxBatchSize, ExecuteBatchAsync, logger);
    }

    /// <summary>How writes were grouped into transactions so far.</summary>
    public WriteBatchStatistics Statistics => batcher.Statistics;

    /// <inheritdoc/>
    public Task<GrainStateRecord> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken)
        => ReadAsync(GrainStateKey.From(grainId, stateName), cancellationToken);

    /// <inheritdoc/>
    public async Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> data, string? expectedEtag, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        var version = await ExecuteAsync(key, data, expectedEtag, cancellationToken).ConfigureAwait(false);
        return version is { } v ? GrainStateEtag.Format(v) : throw await ConflictAsync("write", key, expectedEtag).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> records, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        GrainRecordChanges.Validate(key, records);
        var version = await ExecuteAsync(key, data, expectedEtag, cancellationToken, records).ConfigureAwait(false);
        return version is { } v ? GrainStateEtag.Format(v) : throw await ConflictAsync("write", key, expectedEtag).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(GrainId grainId, string stateName, long afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadRecordsAsync(GrainStateKey.From(grainId, stateName), afterId, limit, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<string?> ClearAsync(GrainId grainId, string stateName, string? expectedEtag, CancellationToken cancellationToken)
    {
        var key = GrainStateKey.From(grainId, stateName);
        var version = await ExecuteAsync(key, null, expectedEtag, cancellationToken).ConfigureAwait(false);
        return version is { } v ? GrainStateEtag.Format(v) : throw await ConflictAsync("clear", key, expectedEtag).ConfigureAwait(false);
    }

    private protected abstract Task<GrainStateRecord> ReadAsync(GrainStateKey key, CancellationToken cancellationToken);

    private protected abstract Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(GrainStateKey key, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Runs the writes in one transaction, in order, setting each one's <see cref="GrainStateWrite.NewVersion"/>; throws on a database error.</summary>
    private protected abstract Task ExecuteBatchAsync(IReadOnlyList<GrainStateWrite> writes);

    /// <summary>Starts executing queued writes.</summary>
    private protected void StartWriting() => batcher.Start();

    /// <summary>Commits the writes already queued and refuses new ones.</summary>
    private protected ValueTask StopWritingAsync() => batcher.DisposeAsync();

    private Task<long?> ExecuteAsync(GrainStateKey key, ReadOnlyMemory<byte>? payload, string? expectedEtag, CancellationToken cancellationToken, IReadOnlyList<GrainRecordChange>? records = null)
    {
        long? expected = null;
        if (expectedEtag is not null)
        {
            if (!GrainStateEtag.TryParse(expectedEtag, out var parsed))
            {
                return Task.FromResult<long?>(null);
            }
            expected = parsed;
        }
        return batcher.EnqueueAsync(new GrainStateWrite(key, payload, expected, records), cancellationToken);
    }

    private async Task<InconsistentStateException> ConflictAsync(string operation, GrainStateKey key, string? expectedEtag)
    {
        // The conditional statement only says "zero rows"; read what is there to name it. Not cancellable and never
        // failing: the caller must get the conflict (it deactivates the activation), not a cancellation or a read error.
        GrainStateRecord? stored;
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

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Could not read {Record} after an ETag conflict; the conflict is reported without the stored ETag")]
    private static partial void LogConflictReadFailed(ILogger logger, Exception error, string record);
}
