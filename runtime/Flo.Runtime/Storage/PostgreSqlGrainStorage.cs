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
            var command = new NpgsqlBatchCommand(write.ExpectedVersion is null ? InsertSql : UpdateSql);
            AddKey(command.Parameters, write.Key);
            command.Parameters.Add(write.Payload is { } payload
                ? new NpgsqlParameter<ReadOnlyMemory<byte>> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = payload }
                : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value });
            if (write.ExpectedVersion is { } expected)
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected });
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

    private static void AddKey(NpgsqlParameterCollection parameters, GrainStateKey key)
    {
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainType });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainKey });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.StateName });
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "A batch of {Count} state writes hit {SqlState} (attempt {Attempt}); running it again")]
    private static partial void LogBatchRetried(ILogger logger, string sqlState, int count, int attempt);
}
