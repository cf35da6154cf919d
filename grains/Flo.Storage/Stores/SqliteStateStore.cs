using System.Data.Common;
using System.Runtime.InteropServices;
using Flo.Storage.Schema;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Flo.Storage.Stores;

/// <summary>
/// Grain state in the embedded SQLite database <c>&lt;DataDirectory&gt;/flo.db</c> (or <see cref="FloStorageOptions.ConnectionString"/>),
/// in WAL mode so readers never wait for the writer. All writes of this store go through one writer connection, a
/// batch per <c>BEGIN IMMEDIATE ... COMMIT</c>; reads use their own pooled connections. Several silos of one machine
/// may share the file: writes wait for each other's lock up to the busy timeout.
/// </summary>
internal sealed partial class SqliteStateStore : RelationalStateStore
{
    /// <summary>How long a connection waits for another connection's write lock before failing with SQLITE_BUSY.</summary>
    private const int BusyTimeoutSeconds = 30;

    /// <summary>How long commits accumulate in the WAL before <see cref="SqliteCheckpointer"/> copies them into the database.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(100);

    private const string InsertSql = """
        INSERT INTO flo_grain_state (grain_id, state_name, payload, version)
        VALUES ($id, $state, $payload, 1)
        ON CONFLICT (grain_id, state_name) DO NOTHING
        RETURNING version
        """;

    private const string UpdateSql = """
        UPDATE flo_grain_state
        SET payload = $payload, version = version + 1, modified_utc = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        WHERE grain_id = $id AND state_name = $state AND version = $expected
        RETURNING version
        """;

    private const string ReadSql = "SELECT payload, version FROM flo_grain_state WHERE grain_id = $id AND state_name = $state";

    private const string UpsertRecordSql = """
        INSERT INTO flo_grain_records (grain_id, state_name, record_id, payload)
        VALUES ($id, $state, $record, $payload)
        ON CONFLICT (grain_id, state_name, record_id) DO UPDATE SET payload = excluded.payload
        """;

    // A range: a write's deleted ids are mostly consecutive (a key's history drops its oldest versions in order), and
    // one statement per run costs one bind and one step instead of one per id.
    private const string DeleteRecordsSql = "DELETE FROM flo_grain_records WHERE grain_id = $id AND state_name = $state AND record_id BETWEEN $record AND $last";

    private const string DeleteAllRecordsSql = "DELETE FROM flo_grain_records WHERE grain_id = $id AND state_name = $state";

    private const string ReadRecordsSql = """
        SELECT record_id, payload FROM flo_grain_records
        WHERE grain_id = $id AND state_name = $state AND record_id > $after
        ORDER BY record_id
        LIMIT $limit
        """;

    // The listing is a column of the state row (schema sqlite/003): set or cleared by the state's own write, after its
    // insert or update of that row, so a new listed state costs no insert beyond its row.
    // $due NULL unlists.
    private const string SetListingSql = "UPDATE flo_grain_state SET listed_due = $due WHERE grain_id = $id AND state_name = $state";

    // Range reads of the primary key (grain_id, state_name), skipping states that are not listed.
    private const string ListFromSql = """
        SELECT grain_id, listed_due FROM flo_grain_state
        WHERE grain_id >= $lower AND grain_id < $upper AND state_name = $state AND listed_due IS NOT NULL
        ORDER BY grain_id
        LIMIT $limit
        """;

    private const string ListAfterSql = """
        SELECT grain_id, listed_due FROM flo_grain_state
        WHERE grain_id > $lower AND grain_id < $upper AND state_name = $state AND listed_due IS NOT NULL
        ORDER BY grain_id
        LIMIT $limit
        """;

    private const string ListDueSql = """
        SELECT grain_id, listed_due FROM flo_grain_state
        WHERE state_name = $state AND listed_due IS NOT NULL AND listed_due <> 0 AND listed_due <= $by AND grain_id >= $lower AND grain_id < $upper
        ORDER BY listed_due
        LIMIT $limit
        """;

    private static readonly object ConfiguredMarker = new();

    // The physical connections already given this store's settings (weak: a closed handle leaves with its object).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> configuredHandles = new();

    private readonly string connectionString;
    private readonly string filePath;
    private readonly string synchronous;
    private readonly int maxBatchSize;
    private readonly SchemaMigrator migrator;
    private readonly ILogger logger;
    private readonly SemaphoreSlim initializeLock = new(1, 1);
    private SqliteConnection? writer;
    private SqliteCommand? insert;
    private SqliteCommand? update;
    private SqliteCommand? upsertRecord;
    private SqliteCommand? deleteRecords;
    private SqliteCommand? deleteAllRecords;
    private SqliteCommand? setListing;
    private SqliteCheckpointer? checkpointer;
    private int disposed;

    public SqliteStateStore(FloStorageOptions options, ILoggerFactory loggerFactory)
        : base("SQLite grain storage", FloStorageProvider.Sqlite, options.MaxBatchSize, loggerFactory.CreateLogger<SqliteStateStore>())
    {
        var builder = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(Path.Combine(options.DataDirectory, "flo.db")) }
            : new SqliteConnectionStringBuilder(options.ConnectionString);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        if (builder.DefaultTimeout == new SqliteConnectionStringBuilder().DefaultTimeout)
        {
            builder.DefaultTimeout = BusyTimeoutSeconds;
        }
        connectionString = builder.ToString();
        filePath = builder.DataSource;
        synchronous = options.SqliteSynchronous.Trim().ToUpperInvariant();
        maxBatchSize = options.MaxBatchSize;
        logger = loggerFactory.CreateLogger<SqliteStateStore>();
        migrator = new SchemaMigrator(
            "sqlite",
            $"CREATE TABLE IF NOT EXISTS {SchemaMigrator.HistoryTable} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_utc TEXT NOT NULL)",
            async ct => await OpenAsync(ct).ConfigureAwait(false),
            static (connection, _) => ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false)), // BEGIN IMMEDIATE
            loggerFactory.CreateLogger<SchemaMigrator>());
    }

    public override FloStorageProvider Provider => FloStorageProvider.Sqlite;

    /// <summary>WAL checkpoints run beside the writer so far (0 when the database is not in WAL mode).</summary>
    internal long Checkpoints => checkpointer?.Checkpoints ?? 0;

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (writer is not null)
            {
                return;
            }
            if (IsFile(filePath))
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(filePath));
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }
            }
            var wal = await EnableWalAsync(cancellationToken).ConfigureAwait(false);
            SchemaVersion = await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
            writer = await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (wal)
            {
                // Checkpoints run beside the writer (SqliteCheckpointer); its own automatic one is only a backstop.
                var command = writer.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText = $"PRAGMA wal_autocheckpoint = {SqliteCheckpointer.WriterBackstopPages}";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                checkpointer = new SqliteCheckpointer(OpenAsync, CheckpointInterval, logger);
                checkpointer.Start();
            }
            insert = Prepare(InsertSql, record: false, payload: true, expected: false);
            update = Prepare(UpdateSql, record: false, payload: true, expected: true);
            upsertRecord = Prepare(UpsertRecordSql, record: true, payload: true, expected: false);
            deleteRecords = Prepare(DeleteRecordsSql, record: true, payload: false, expected: false);
            deleteRecords.Parameters.Add("$last", SqliteType.Integer);
            deleteAllRecords = Prepare(DeleteAllRecordsSql, record: false, payload: false, expected: false);
            setListing = Prepare(SetListingSql, record: false, payload: false, expected: false);
            setListing.Parameters.Add("$due", SqliteType.Integer);
            StartWriting();
            LogInitialized(logger, Describe(), SchemaVersion);
        }
        finally
        {
            initializeLock.Release();
        }
    }

    public override async Task<StoredState> ReadAsync(StateKey key, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = ReadSql;
        command.Parameters.AddWithValue("$id", key.GrainId);
        command.Parameters.AddWithValue("$state", key.StateName);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return StoredState.None;
        }
        var etag = StateEtag.Format(reader.GetInt64(1));
        return reader.IsDBNull(0)
            ? new StoredState(default, etag, false)
            : new StoredState(reader.GetFieldValue<byte[]>(0), etag, true);
    }

    public override async Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(StateKey key, long afterId, int limit, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = ReadRecordsSql;
        command.Parameters.AddWithValue("$id", key.GrainId);
        command.Parameters.AddWithValue("$state", key.StateName);
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await ReadRecordRowsAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<bool> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using var commandScope = command.ConfigureAwait(false);
            command.CommandText = $"SELECT COUNT(*) FROM {SchemaMigrator.HistoryTable}";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public override string Describe()
    {
        var shown = new SqliteConnectionStringBuilder(connectionString);
        return $"SQLite {shown.DataSource} (synchronous {synchronous}, WAL, write batches up to {maxBatchSize})";
    }

    /// <summary>Opens a pooled connection with this store's busy timeout and durability.</summary>
    internal async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Per-connection settings. A pooled connection keeps its sqlite3 handle and the settings with it, so they are
            // set once per handle (running them on every open was a quarter of a state read's CPU). synchronous was
            // validated against a fixed list.
            if (connection.Handle is { } handle && !configuredHandles.TryGetValue(handle, out _))
            {
                var command = connection.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA synchronous = {synchronous};";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                configuredHandles.TryAdd(handle, ConfiguredMarker);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        await StopWritingAsync().ConfigureAwait(false);
        if (checkpointer is not null)
        {
            await checkpointer.DisposeAsync().ConfigureAwait(false);
        }
        insert?.Dispose();
        update?.Dispose();
        upsertRecord?.Dispose();
        deleteRecords?.Dispose();
        deleteAllRecords?.Dispose();
        setListing?.Dispose();
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        // Pooled connections keep the file open; release them so the file can be moved or deleted once the silo stopped.
        SqliteConnection.ClearPool(new SqliteConnection(connectionString));
    }

    private protected override Task ExecuteBatchAsync(IReadOnlyList<StateWrite> writes)
    {
        // Microsoft.Data.Sqlite is synchronous underneath; the batch loop is the only user of the writer connection.
        using var transaction = writer!.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: take the write lock now, not on the first write.
        foreach (var write in writes)
        {
            var command = write.ExpectedVersion is null ? insert! : update!;
            command.Transaction = transaction;
            SetKey(command, write.Key);
            command.Parameters["$payload"].Value = write.Payload is { } payload ? AsArray(payload) : DBNull.Value;
            if (write.ExpectedVersion is { } expected)
            {
                command.Parameters["$expected"].Value = expected;
            }
            write.NewVersion = command.ExecuteScalar() is long version ? version : null;
            if (write.NewVersion is not null)
            {
                // Only when the state's condition held: the records and the listing share its fencing.
                ApplyRecords(write, transaction);
                ApplyListing(write, transaction);
            }
        }
        transaction.Commit();
        checkpointer?.Committed();
        return Task.CompletedTask;
    }

    private void ApplyRecords(StateWrite write, SqliteTransaction transaction)
    {
        if (write.IsClear)
        {
            deleteAllRecords!.Transaction = transaction;
            SetKey(deleteAllRecords, write.Key);
            deleteAllRecords.ExecuteNonQuery();
            return;
        }
        long[]? deleted = null;
        var deletions = 0;
        foreach (var change in write.Records)
        {
            if (change.Data is not { } data)
            {
                (deleted ??= new long[write.Records.Count])[deletions++] = change.Id;
                continue;
            }
            upsertRecord!.Transaction = transaction;
            SetKey(upsertRecord, write.Key);
            upsertRecord.Parameters["$record"].Value = change.Id;
            upsertRecord.Parameters["$payload"].Value = AsArray(data);
            upsertRecord.ExecuteNonQuery();
        }
        if (deletions > 0)
        {
            DeleteRecordRuns(write.Key, deleted.AsSpan(0, deletions), transaction);
        }
    }

    /// <summary>Deletes the records of <paramref name="ids"/> (distinct), one statement per run of consecutive ids.</summary>
    private void DeleteRecordRuns(StateKey key, Span<long> ids, SqliteTransaction transaction)
    {
        ids.Sort();
        var command = deleteRecords!;
        command.Transaction = transaction;
        SetKey(command, key);
        var first = 0;
        for (var i = 1; i <= ids.Length; i++)
        {
            if (i < ids.Length && ids[i] == ids[i - 1] + 1)
            {
                continue;
            }
            command.Parameters["$record"].Value = ids[first];
            command.Parameters["$last"].Value = ids[i - 1];
            command.ExecuteNonQuery();
            first = i;
        }
    }

    private protected override async Task<IReadOnlyList<ListedGrain>> QueryListingAsync(ListingQuery query, string stateName, string lower, string upper, long? dueBy, int limit, CancellationToken cancellationToken)
    {
        var sql = query switch { ListingQuery.From => ListFromSql, ListingQuery.After => ListAfterSql, _ => ListDueSql };
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = sql;
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$lower", lower);
        command.Parameters.AddWithValue("$upper", upper);
        command.Parameters.AddWithValue("$limit", limit);
        if (dueBy is { } by)
        {
            command.Parameters.AddWithValue("$by", by);
        }
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await ReadListingRowsAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    private void ApplyListing(StateWrite write, SqliteTransaction transaction)
    {
        if (write.Listing is not { } listing)
        {
            return;
        }
        var command = setListing!;
        command.Transaction = transaction;
        SetKey(command, write.Key);
        command.Parameters["$due"].Value = listing.Listed ? listing.DueMs : DBNull.Value;
        command.ExecuteNonQuery();
    }

    private static void SetKey(SqliteCommand command, StateKey key)
    {
        command.Parameters["$id"].Value = key.GrainId;
        command.Parameters["$state"].Value = key.StateName;
    }

    private SqliteCommand Prepare(string sql, bool record, bool payload, bool expected)
    {
        var command = writer!.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.Add("$state", SqliteType.Text);
        if (record)
        {
            command.Parameters.Add("$record", SqliteType.Integer);
        }
        if (payload)
        {
            command.Parameters.Add("$payload", SqliteType.Blob);
        }
        if (expected)
        {
            command.Parameters.Add("$expected", SqliteType.Integer);
        }
        return command;
    }

    private static byte[] AsArray(ReadOnlyMemory<byte> payload)
        => MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();

    /// <summary>Switches the database to WAL; false when it could not (an in-memory database, for one).</summary>
    private async Task<bool> EnableWalAsync(CancellationToken cancellationToken)
    {
        // The journal mode is stored in the database file, but it can only be switched outside a transaction.
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            LogNoWal(logger, filePath, mode ?? "unknown");
            return false;
        }
        return true;
    }

    private static bool IsFile(string dataSource)
        => !string.IsNullOrEmpty(dataSource) && dataSource != ":memory:" && !dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Grain storage: {Description}, schema version {Version}")]
    private static partial void LogInitialized(ILogger logger, string description, int version);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "SQLite database {Path} could not switch to WAL (journal mode {Mode}); readers will wait for writers")]
    private static partial void LogNoWal(ILogger logger, string path, string mode);
}
