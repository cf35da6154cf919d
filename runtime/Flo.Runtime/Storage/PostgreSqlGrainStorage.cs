using Flo.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Flo.Runtime.Storage;

/// <summary>
/// Grain state in PostgreSQL. A batch of writes is one <see cref="NpgsqlBatch"/> (one round trip) inside a transaction,
/// its statements ordered by key so that batches of different silos lock rows in the same order.
/// </summary>
public sealed partial class PostgreSqlGrainStorage : RelationalGrainStorage
{
    private const string InsertSql = """
        INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version)
        VALUES ($1, $2, $3, $4, 1)
        ON CONFLICT (grain_type, grain_key, state_name) DO NOTHING
        RETURNING version
        """;

    private const string UpdateSql = """
        UPDATE grain_state
        SET payload = $4, version = version + 1, modified_utc = now()
        WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3 AND version = $5
        RETURNING version
        """;

    // Record changes ride on the state statement as data-modifying CTEs joined to its result: when the version
    // condition fails, the CTE "h" is empty and so are the deletes and upserts. One statement, so a lone write stays
    // one round trip in autocommit.
    private const string RecordsSql = """
        d AS (
            DELETE FROM grain_records r USING h
            WHERE r.grain_type = $1 AND r.grain_key = $2 AND r.state_name = $3 AND r.record_id = ANY($6)),
        u AS (
            INSERT INTO grain_records (grain_type, grain_key, state_name, record_id, payload)
            SELECT $1, $2, $3, t.id, t.p FROM h, unnest($7::bigint[], $8::bytea[]) AS t(id, p)
            ON CONFLICT (grain_type, grain_key, state_name, record_id) DO UPDATE SET payload = excluded.payload)
        SELECT version FROM h
        """;

    private const string ClearRecordsSql = """
        d AS (
            DELETE FROM grain_records r USING h
            WHERE r.grain_type = $1 AND r.grain_key = $2 AND r.state_name = $3)
        SELECT version FROM h
        """;

    private const string ReadRecordsSql = """
        SELECT record_id, payload FROM grain_records
        WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3 AND record_id > $4
        ORDER BY record_id
        LIMIT $5
        """;

    private const string ReadSql = "SELECT payload, version FROM grain_state WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3";

    /// <summary>A deadlock or serialization failure rolls the whole batch back, so it can simply run again.</summary>
    private const int MaxAttempts = 3;

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger logger;

    internal PostgreSqlGrainStorage(NpgsqlDataSource dataSource, int maxBatchSize, ILogger logger)
        : base("PostgreSQL grain storage", maxBatchSize, logger)
    {
        this.dataSource = dataSource;
        this.logger = logger;
    }

    internal void Start() => StartWriting();

    internal ValueTask StopAsync() => StopWritingAsync();

    private protected override async Task<GrainStateRecord> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand(ReadSql);
        await using var commandScope = command.ConfigureAwait(false);
        AddKey(command.Parameters, key);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return GrainStateRecord.None;
        }
        var etag = GrainStateEtag.Format(reader.GetInt64(1));
        return await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false)
            ? new GrainStateRecord(default, etag, false)
            : new GrainStateRecord(reader.GetFieldValue<byte[]>(0), etag, true);
    }

    private protected override async Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(GrainStateKey key, long afterId, int limit, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand(ReadRecordsSql);
        await using var commandScope = command.ConfigureAwait(false);
        AddKey(command.Parameters, key);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var records = new List<GrainRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new GrainRecord(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        }
        return records;
    }

    private protected override async Task ExecuteBatchAsync(IReadOnlyList<GrainStateWrite> writes)
    {
        // OrderBy is stable: writes to one record keep their queue order, which decides which of them wins.
        var ordered = writes.Count == 1 ? writes : writes.OrderBy(w => w.Key, GrainStateKey.Ordinal).ToArray();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteOnceAsync(ordered).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (attempt < MaxAttempts && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                LogBatchRetried(logger, e.SqlState, writes.Count, attempt);
            }
        }
    }

    private async Task ExecuteOnceAsync(IReadOnlyList<GrainStateWrite> writes)
    {
        var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        // One statement is atomic on its own: without an explicit transaction it is one round trip, not two (the
        // COMMIT), which is what a lone writer waits for.
        var transaction = writes.Count == 1 ? null : await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var transactionScope = (transaction ?? (IAsyncDisposable)NoTransaction.Instance).ConfigureAwait(false);
        var batch = new NpgsqlBatch(connection, transaction);
        await using var batchScope = batch.ConfigureAwait(false);
        foreach (var write in writes)
        {
            var command = new NpgsqlBatchCommand(CommandText(write));
            AddKey(command.Parameters, write.Key);
            command.Parameters.Add(write.Payload is { } payload
                ? new NpgsqlParameter<ReadOnlyMemory<byte>> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = payload }
                : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = write.ExpectedVersion ?? 0 });
            if (!write.IsClear && write.Records.Count > 0)
            {
                AddRecords(command.Parameters, write.Records);
            }
            batch.BatchCommands.Add(command);
        }

        var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            // One result set per statement, in order; an empty one is a statement whose ETag condition did not hold.
            var i = 0;
            do
            {
                writes[i].NewVersion = await reader.ReadAsync().ConfigureAwait(false) ? reader.GetInt64(0) : null;
                i++;
            }
            while (await reader.NextResultAsync().ConfigureAwait(false));
            if (i != writes.Count)
            {
                throw new InvalidOperationException($"A batch of {writes.Count} grain state statements returned {i} results.");
            }
        }
        if (transaction is not null)
        {
            await transaction.CommitAsync().ConfigureAwait(false);
        }
    }

    private sealed class NoTransaction : IAsyncDisposable
    {
        public static NoTransaction Instance { get; } = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static string CommandText(GrainStateWrite write)
    {
        var state = write.ExpectedVersion is null ? InsertSql : UpdateSql;
        if (write.IsClear ? write.ExpectedVersion is null : write.Records.Count == 0)
        {
            return state;
        }
        return $"WITH h AS ({state}),\n{(write.IsClear ? ClearRecordsSql : RecordsSql)}";
    }

    private static void AddRecords(NpgsqlParameterCollection parameters, IReadOnlyList<GrainRecordChange> records)
    {
        var deletes = new List<long>();
        var ids = new List<long>(records.Count);
        var payloads = new List<byte[]>(records.Count);
        foreach (var change in records)
        {
            if (change.Data is { } data)
            {
                ids.Add(change.Id);
                payloads.Add(data.ToArray());
            }
            else
            {
                deletes.Add(change.Id);
            }
        }
        parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. deletes] });
        parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. ids] });
        parameters.Add(new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = [.. payloads] });
    }

    private static void AddKey(NpgsqlParameterCollection parameters, GrainStateKey key)
    {
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainType });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainKey });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.StateName });
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "A batch of {Count} state writes hit {SqlState} (attempt {Attempt}); running it again")]
    private static partial void LogBatchRetried(ILogger logger, string sqlState, int count, int attempt);
}
