using System.Data.Common;
using Flo.Storage.Schema;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Flo.Storage.Stores;

/// <summary>
/// Grain state in PostgreSQL, shared by the silos of a cluster through one pooled <see cref="NpgsqlDataSource"/>. A
/// batch of writes is one <see cref="NpgsqlBatch"/> (one round trip) inside a transaction, its statements ordered by
/// key so that batches of different silos lock rows in the same order.
/// </summary>
internal sealed partial class PostgresStateStore : RelationalStateStore
{
    /// <summary>Connections per silo unless the connection string says otherwise.</summary>
    public const int DefaultMaxPoolSize = 32;

    /// <summary>Statements kept prepared per connection when the connection string does not say otherwise.</summary>
    private const int DefaultMaxAutoPrepare = 32;

    /// <summary>A deadlock or serialization failure rolls the whole batch back, so it can simply run again.</summary>
    private const int MaxAttempts = 3;

    private const string InsertSql = """
        INSERT INTO flo_grain_state (grain_id, state_name, payload, version)
        VALUES ($1, $2, $3, 1)
        ON CONFLICT (grain_id, state_name) DO NOTHING
        RETURNING version
        """;

    private const string UpdateSql = """
        UPDATE flo_grain_state
        SET payload = $3, version = version + 1, modified_utc = now()
        WHERE grain_id = $1 AND state_name = $2 AND version = $4
        RETURNING version
        """;

    // Record and listing changes ride on the state statement as data-modifying CTEs joined to its result: when the
    // version condition fails, the CTE "h" is empty and so are the deletes and upserts. One statement, so a lone write
    // stays one round trip in autocommit.
    private const string RecordsCtes = """
        d AS (
            DELETE FROM flo_grain_records r USING h
            WHERE r.grain_id = $1 AND r.state_name = $2 AND r.record_id = ANY($5)),
        u AS (
            INSERT INTO flo_grain_records (grain_id, state_name, record_id, payload)
            SELECT $1, $2, t.id, t.p FROM h, unnest($6::bigint[], $7::bytea[]) AS t(id, p)
            ON CONFLICT (grain_id, state_name, record_id) DO UPDATE SET payload = excluded.payload)
        """;

    private const string ClearRecordsCte = """
        d AS (
            DELETE FROM flo_grain_records r USING h
            WHERE r.grain_id = $1 AND r.state_name = $2)
        """;

    // {0}: the due time's parameter, after the records' when there are any.
    private const string ListCte = """
        l AS (
            INSERT INTO flo_grain_listing (state_name, grain_id, due_ms)
            SELECT $2, $1, ${0} FROM h
            ON CONFLICT (state_name, grain_id) DO UPDATE SET due_ms = excluded.due_ms)
        """;

    private const string UnlistCte = """
        l AS (
            DELETE FROM flo_grain_listing g USING h
            WHERE g.state_name = $2 AND g.grain_id = $1)
        """;

    private const string ListFromSql = """
        SELECT grain_id, due_ms FROM flo_grain_listing
        WHERE state_name = $1 AND grain_id >= $2 AND grain_id < $3
        ORDER BY grain_id
        LIMIT $4
        """;

    private const string ListAfterSql = """
        SELECT grain_id, due_ms FROM flo_grain_listing
        WHERE state_name = $1 AND grain_id > $2 AND grain_id < $3
        ORDER BY grain_id
        LIMIT $4
        """;

    private const string ListDueSql = """
        SELECT grain_id, due_ms FROM flo_grain_listing
        WHERE state_name = $1 AND grain_id >= $2 AND grain_id < $3 AND due_ms <> 0 AND due_ms <= $5
        ORDER BY due_ms
        LIMIT $4
        """;

    private const string ReadSql = "SELECT payload, version FROM flo_grain_state WHERE grain_id = $1 AND state_name = $2";

    // Many states in one query; k.i is each key's position in the arrays (from 1). COLLATE "C" as the columns, so the
    // join uses the primary key.
    private const string ReadManySql = """
        SELECT k.i, s.payload, s.version
        FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(g, n, i)
        JOIN flo_grain_state s ON s.grain_id = k.g COLLATE "C" AND s.state_name = k.n COLLATE "C"
        """;

    /// <summary>State reads in flight at once, each a batch of the reads waiting (activations starting together).</summary>
    private const int ReadConcurrency = 4;

    private const int MaxReadBatch = 256;

    private const string ReadRecordsSql = """
        SELECT record_id, payload FROM flo_grain_records
        WHERE grain_id = $1 AND state_name = $2 AND record_id > $3
        ORDER BY record_id
        LIMIT $4
        """;

    // Indexed by CommandText's shape number; filled on first use (a racing fill writes the same text).
    private static readonly string?[] CommandTexts = new string?[24];

    private readonly NpgsqlDataSource dataSource;
    private readonly string description;
    private readonly SchemaMigrator migrator;
    private readonly ILogger logger;
    private readonly ReadBatcher reads;
    private readonly SemaphoreSlim initializeLock = new(1, 1);
    private bool started;
    private int disposed;

    public PostgresStateStore(FloStorageOptions options, ILoggerFactory loggerFactory)
        : base("PostgreSQL grain storage", FloStorageProvider.Postgres, options.MaxBatchSize, loggerFactory.CreateLogger<PostgresStateStore>(), options.PostgresWriteBatches)
    {
        logger = loggerFactory.CreateLogger<PostgresStateStore>();
        dataSource = CreateDataSource(options.ConnectionString!, loggerFactory);
        description = $"PostgreSQL {Redact(options.ConnectionString!)} (write batches up to {options.MaxBatchSize}, {options.PostgresWriteBatches} at once)";
        migrator = CreateMigrator(dataSource, loggerFactory);
        reads = new ReadBatcher("PostgreSQL grain storage", ReadConcurrency, MaxReadBatch, ReadManyAsync);
    }

    public override FloStorageProvider Provider => FloStorageProvider.Postgres;

    /// <summary>The data source every Flo PostgreSQL connection is opened from: bounded pool, auto-prepared statements.</summary>
    internal static NpgsqlDataSource CreateDataSource(string connectionString, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!builder.ConnectionStringBuilder.ContainsKey("Max Auto Prepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }
        if (!builder.ConnectionStringBuilder.ContainsKey("Maximum Pool Size"))
        {
            // Writes are group-committed on a few connections; Npgsql's default of 100 per silo would let a handful
            // of silos exhaust a server's connection slots.
            builder.ConnectionStringBuilder.MaxPoolSize = DefaultMaxPoolSize;
        }
        builder.UseLoggerFactory(loggerFactory);
        return builder.Build();
    }

    /// <summary>The migrator of the PostgreSQL scripts (grain storage and Orleans' ADO.NET tables), serialized across silos by an advisory lock.</summary>
    internal static SchemaMigrator CreateMigrator(NpgsqlDataSource dataSource, ILoggerFactory loggerFactory)
        => new(
            "postgres",
            $"CREATE TABLE IF NOT EXISTS {SchemaMigrator.HistoryTable} (version integer PRIMARY KEY, name text NOT NULL, applied_utc timestamptz NOT NULL)",
            async ct => await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false),
            BeginExclusiveAsync,
            loggerFactory.CreateLogger<SchemaMigrator>());

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (started)
            {
                return;
            }
            SchemaVersion = await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
            StartWriting();
            started = true;
            LogInitialized(logger, description, SchemaVersion);
        }
        finally
        {
            initializeLock.Release();
        }
    }

    public override Task<StoredState> ReadAsync(StateKey key, CancellationToken cancellationToken) => reads.ReadAsync(key, cancellationToken);

    /// <summary>Reads the states of <paramref name="keys"/>, in their order: one query for all of them.</summary>
    internal async Task<StoredState[]> ReadManyAsync(IReadOnlyList<StateKey> keys)
    {
        if (keys.Count == 1)
        {
            return [await ReadOneAsync(keys[0], CancellationToken.None).ConfigureAwait(false)];
        }
        var stored = new StoredState[keys.Count];
        var command = dataSource.CreateCommand(ReadManySql);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.GrainId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.StateName)] });
        var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var i = (int)reader.GetInt64(0) - 1;
            var etag = StateEtag.Format(reader.GetInt64(2));
            stored[i] = await reader.IsDBNullAsync(1).ConfigureAwait(false)
                ? new StoredState(default, etag, false)
                : new StoredState(reader.GetFieldValue<byte[]>(1), etag, true);
        }
        return stored;
    }

    private async Task<StoredState> ReadOneAsync(StateKey key, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand(ReadSql);
        await using var commandScope = command.ConfigureAwait(false);
        AddKey(command.Parameters, key);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return StoredState.None;
        }
        var etag = StateEtag.Format(reader.GetInt64(1));
        return await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false)
            ? new StoredState(default, etag, false)
            : new StoredState(reader.GetFieldValue<byte[]>(0), etag, true);
    }

    public override async Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(StateKey key, long afterId, int limit, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand(ReadRecordsSql);
        await using var commandScope = command.ConfigureAwait(false);
        AddKey(command.Parameters, key);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await ReadRecordRowsAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<bool> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var command = dataSource.CreateCommand("SELECT 1");
            await using var commandScope = command.ConfigureAwait(false);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public override string Describe() => description;

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        await StopWritingAsync().ConfigureAwait(false);
        await reads.DisposeAsync().ConfigureAwait(false);
        await dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The connection string with its password replaced by <c>***</c>.</summary>
    internal static string Redact(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = "***";
        }
        return builder.ToString();
    }

    private protected override async Task ExecuteBatchAsync(IReadOnlyList<StateWrite> writes)
    {
        // OrderBy is stable: writes to one state keep their queue order, which decides which of them wins.
        var ordered = writes.Count == 1 ? writes : writes.OrderBy(w => w.Key, StateKey.Ordinal).ToArray();
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

    private async Task ExecuteOnceAsync(IReadOnlyList<StateWrite> writes)
    {
        var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        // One statement is atomic on its own: without an explicit transaction it is one round trip, not two (the
        // COMMIT), which is what a lone writer waits for.
        var transaction = writes.Count == 1 ? null : await connection.BeginTransactionAsync().ConfigureAwait(false);
        try
        {
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
                if (write.Listing is { Listed: true } listing)
                {
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = listing.DueMs });
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
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The statement of a write; one text per shape (insert or update, records, listing), built once.</summary>
    private static string CommandText(StateWrite write)
    {
        var update = write.ExpectedVersion is not null;
        var records = write.IsClear ? update : write.Records.Count > 0;
        var listing = write.Listing is not { } change ? 0 : change.Listed ? 1 : 2;
        var shape = (update ? 1 : 0) + (records ? 2 : 0) + (write.IsClear ? 4 : 0) + listing * 8;
        return CommandTexts[shape] ??= BuildCommandText(update, records, write.IsClear, listing);
    }

    private static string BuildCommandText(bool update, bool records, bool clear, int listing)
    {
        // The INSERT form leaves $4 (the expected version) unused: fine, every parameter is sent with its type.
        var state = update ? UpdateSql : InsertSql;
        if (!records && listing == 0)
        {
            return state;
        }
        var text = new System.Text.StringBuilder("WITH h AS (").Append(state).Append(')');
        if (records)
        {
            text.Append(",\n").Append(clear ? ClearRecordsCte : RecordsCtes);
        }
        if (listing != 0)
        {
            text.Append(",\n").Append(listing == 1
                ? string.Format(System.Globalization.CultureInfo.InvariantCulture, ListCte, records && !clear ? 8 : 5)
                : UnlistCte);
        }
        return text.Append("\nSELECT version FROM h").ToString();
    }

    private protected override async Task<IReadOnlyList<ListedGrain>> QueryListingAsync(ListingQuery query, string stateName, string lower, string upper, long? dueBy, int limit, CancellationToken cancellationToken)
    {
        var sql = query switch { ListingQuery.From => ListFromSql, ListingQuery.After => ListAfterSql, _ => ListDueSql };
        var command = dataSource.CreateCommand(sql);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lower });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = upper });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        if (dueBy is { } by)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = by });
        }
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await ReadListingRowsAsync(reader, cancellationToken).ConfigureAwait(false);
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

    private static void AddKey(NpgsqlParameterCollection parameters, StateKey key)
    {
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainId });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key.StateName });
    }

    private static async ValueTask<DbTransaction> BeginExclusiveAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = connection.CreateCommand();
            await using var commandScope = command.ConfigureAwait(false);
            command.Transaction = transaction;
            command.CommandText = $"SELECT pg_advisory_xact_lock({MigrationLockKey})";
            // Waits as long as another silo's migration takes; the start-up cancellation still ends the wait.
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Serializes schema migrations of every silo on the database: an arbitrary constant, the same in every version.</summary>
    private const long MigrationLockKey = 0x466c6f4f726c6e73; // "FloOrlns"

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "A batch of {Count} state writes hit {SqlState} (attempt {Attempt}); running it again")]
    private static partial void LogBatchRetried(ILogger logger, string sqlState, int count, int attempt);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Grain storage: {Description}, schema version {Version}")]
    private static partial void LogInitialized(ILogger logger, string description, int version);
}
