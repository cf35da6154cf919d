using System.Runtime.InteropServices;
using Flo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Storage;

/// <summary>
/// Grain state in the embedded SQLite database. All writes of this silo go through one writer connection, a batch per
/// <c>BEGIN IMMEDIATE ... COMMIT</c>; reads use their own pooled connections, which WAL lets run beside the writer.
/// </summary>
public sealed class SqliteGrainStorage : RelationalGrainStorage
{
    private const string InsertSql = """
        INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version)
        VALUES ($type, $key, $state, $payload, 1)
        ON CONFLICT (grain_type, grain_key, state_name) DO NOTHING
        RETURNING version
        """;

    private const string UpdateSql = """
        UPDATE grain_state
        SET payload = $payload, version = version + 1, modified_utc = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        WHERE grain_type = $type AND grain_key = $key AND state_name = $state AND version = $expected
        RETURNING version
        """;

    private const string ReadSql = "SELECT payload, version FROM grain_state WHERE grain_type = $type AND grain_key = $key AND state_name = $state";

    private const string UpsertRecordSql = """
        INSERT INTO grain_records (grain_type, grain_key, state_name, record_id, payload)
        VALUES ($type, $key, $state, $id, $payload)
        ON CONFLICT (grain_type, grain_key, state_name, record_id) DO UPDATE SET payload = excluded.payload
        """;

    private const string DeleteRecordSql = "DELETE FROM grain_records WHERE grain_type = $type AND grain_key = $key AND state_name = $state AND record_id = $id";

    private const string DeleteAllRecordsSql = "DELETE FROM grain_records WHERE grain_type = $type AND grain_key = $key AND state_name = $state";

    private const string ReadRecordsSql = """
        SELECT record_id, payload FROM grain_records
        WHERE grain_type = $type AND grain_key = $key AND state_name = $state AND record_id > $after
        ORDER BY record_id
        LIMIT $limit
        """;

    private readonly SqliteStorageBackend backend;
    private SqliteCommand? upsertRecord;
    private SqliteCommand? deleteRecord;
    private SqliteCommand? deleteAllRecords;
    private SqliteConnection? writer;
    private SqliteCommand? insert;
    private SqliteCommand? update;

    internal SqliteGrainStorage(SqliteStorageBackend backend, int maxBatchSize, ILogger logger)
        : base("SQLite grain storage", maxBatchSize, logger)
        => this.backend = backend;

    /// <summary>Opens the writer connection and starts executing writes; the schema must be in place.</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        if (writer is not null)
        {
            return;
        }
        writer = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        insert = Prepare(InsertSql, expected: false);
        update = Prepare(UpdateSql, expected: true);
        upsertRecord = PrepareRecord(UpsertRecordSql, id: true, payload: true);
        deleteRecord = PrepareRecord(DeleteRecordSql, id: true, payload: false);
        deleteAllRecords = PrepareRecord(DeleteAllRecordsSql, id: false, payload: false);
        StartWriting();
    }

    internal async ValueTask StopAsync()
    {
        await StopWritingAsync().ConfigureAwait(false);
        insert?.Dispose();
        update?.Dispose();
        upsertRecord?.Dispose();
        deleteRecord?.Dispose();
        deleteAllRecords?.Dispose();
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private protected override async Task<GrainStateRecord> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        var connection = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = ReadSql;
        command.Parameters.AddWithValue("$type", key.GrainType);
        command.Parameters.AddWithValue("$key", key.GrainKey);
        command.Parameters.AddWithValue("$state", key.StateName);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return GrainStateRecord.None;
        }
        var etag = GrainStateEtag.Format(reader.GetInt64(1));
        return reader.IsDBNull(0)
            ? new GrainStateRecord(default, etag, false)
            : new GrainStateRecord(reader.GetFieldValue<byte[]>(0), etag, true);
    }

    private protected override Task ExecuteBatchAsync(IReadOnlyList<GrainStateWrite> writes)
    {
        // Microsoft.Data.Sqlite is synchronous underneath; the batch loop is the only user of the writer connection.
        using var transaction = writer!.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: take the write lock now, not on the first write.
        foreach (var write in writes)
        {
            var command = write.ExpectedVersion is null ? insert! : update!;
            command.Transaction = transaction;
            command.Parameters["$type"].Value = write.Key.GrainType;
            command.Parameters["$key"].Value = write.Key.GrainKey;
            command.Parameters["$state"].Value = write.Key.StateName;
            command.Parameters["$payload"].Value = write.Payload is { } payload ? AsArray(payload) : DBNull.Value;
            if (write.ExpectedVersion is { } expected)
            {
                command.Parameters["$expected"].Value = expected;
            }
            write.NewVersion = command.ExecuteScalar() is long version ? version : null;
            if (write.NewVersion is not null)
            {
                // Only when the state's condition held: the records share its fencing.
                ApplyRecords(write, transaction);
            }
        }
        transaction.Commit();
        return Task.CompletedTask;
    }

    private protected override async Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(GrainStateKey key, long afterId, int limit, CancellationToken cancellationToken)
    {
        var connection = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = ReadRecordsSql;
        command.Parameters.AddWithValue("$type", key.GrainType);
        command.Parameters.AddWithValue("$key", key.GrainKey);
        command.Parameters.AddWithValue("$state", key.StateName);
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var records = new List<GrainRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new GrainRecord(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        }
        return records;
    }

    private void ApplyRecords(GrainStateWrite write, SqliteTransaction transaction)
    {
        if (write.IsClear)
        {
            deleteAllRecords!.Transaction = transaction;
            SetKey(deleteAllRecords, write.Key);
            deleteAllRecords.ExecuteNonQuery();
            return;
        }
        foreach (var change in write.Records)
        {
            var command = change.Data is null ? deleteRecord! : upsertRecord!;
            command.Transaction = transaction;
            SetKey(command, write.Key);
            command.Parameters["$id"].Value = change.Id;
            if (change.Data is { } data)
            {
                command.Parameters["$payload"].Value = AsArray(data);
            }
            command.ExecuteNonQuery();
        }
    }

    private static void SetKey(SqliteCommand command, GrainStateKey key)
    {
        command.Parameters["$type"].Value = key.GrainType;
        command.Parameters["$key"].Value = key.GrainKey;
        command.Parameters["$state"].Value = key.StateName;
    }

    private SqliteCommand PrepareRecord(string sql, bool id, bool payload)
    {
        var command = writer!.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$type", SqliteType.Text);
        command.Parameters.Add("$key", SqliteType.Text);
        command.Parameters.Add("$state", SqliteType.Text);
        if (id)
        {
            command.Parameters.Add("$id", SqliteType.Integer);
        }
        if (payload)
        {
            command.Parameters.Add("$payload", SqliteType.Blob);
        }
        return command;
    }

    private SqliteCommand Prepare(string sql, bool expected)
    {
        var command = writer!.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$type", SqliteType.Text);
        command.Parameters.Add("$key", SqliteType.Text);
        command.Parameters.Add("$state", SqliteType.Text);
        command.Parameters.Add("$payload", SqliteType.Blob);
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
}
