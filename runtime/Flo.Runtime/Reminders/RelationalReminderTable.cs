using System.Data.Common;
using System.Globalization;
using Flo.Runtime.Storage;

namespace Flo.Runtime.Reminders;

/// <summary>The reminder table in SQLite or PostgreSQL (schema script 003); one statement per operation.</summary>
public sealed class RelationalReminderTable(IRelationalStorageBackend backend, string serviceId) : IReminderTable
{
    private const string Columns = "grain_type, grain_key, name, start_at, period_ms, cron, time_zone, policy, next_due, etag";

    /// <inheritdoc/>
    public async Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection,
            "INSERT INTO reminders (service_id, grain_type, grain_key, name, grain_hash, start_at, period_ms, cron, time_zone, policy, next_due, etag) "
            + "VALUES (@service, @type, @key, @name, @hash, @start, @period, @cron, @zone, @policy, @due, 1) "
            + "ON CONFLICT (service_id, grain_type, grain_key, name) DO UPDATE SET grain_hash = excluded.grain_hash, start_at = excluded.start_at, "
            + "period_ms = excluded.period_ms, cron = excluded.cron, time_zone = excluded.time_zone, policy = excluded.policy, next_due = excluded.next_due, "
            + "etag = reminders.etag + 1");
        AddKey(command, entry.GrainId, entry.Name);
        Add(command, "@hash", (long)entry.GrainHash);
        Add(command, "@start", entry.StartAtMs);
        Add(command, "@period", entry.PeriodMs);
        Add(command, "@cron", (object?)entry.Cron ?? DBNull.Value);
        Add(command, "@zone", (object?)entry.TimeZone ?? DBNull.Value);
        Add(command, "@policy", (int)entry.Policy);
        Add(command, "@due", entry.NextDueMs);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "DELETE FROM reminders WHERE service_id = @service AND grain_type = @type AND grain_key = @key AND name = @name");
        AddKey(command, grainId, name);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReminderEntry>> ReadGrainAsync(GrainId grainId, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT {Columns} FROM reminders WHERE service_id = @service AND grain_type = @type AND grain_key = @key ORDER BY name");
        Add(command, "@type", grainId.Type);
        Add(command, "@key", grainId.Key);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(long dueBeforeMs, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT {Columns} FROM reminders WHERE service_id = @service AND next_due <= @before");
        Add(command, "@before", dueBeforeMs);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> UpdateNextDueAsync(ReminderEntry entry, long nextDueMs, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection,
            "UPDATE reminders SET next_due = @due, etag = etag + 1 WHERE service_id = @service AND grain_type = @type AND grain_key = @key AND name = @name AND etag = @etag");
        AddKey(command, entry.GrainId, entry.Name);
        Add(command, "@due", nextDueMs);
        Add(command, "@etag", entry.Etag);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static async Task<IReadOnlyList<ReminderEntry>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var list = new List<ReminderEntry>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ReminderEntry
            {
                GrainId = new GrainId(r.GetString(0), r.GetString(1)),
                Name = r.GetString(2),
                StartAtMs = r.GetInt64(3),
                PeriodMs = r.GetInt64(4),
                Cron = r.IsDBNull(5) ? null : r.GetString(5),
                TimeZone = r.IsDBNull(6) ? null : r.GetString(6),
                Policy = (MissedTickPolicy)Convert.ToInt32(r.GetValue(7), CultureInfo.InvariantCulture),
                NextDueMs = r.GetInt64(8),
                Etag = r.GetInt64(9),
            });
        }
        return list;
    }

    private DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "@service", serviceId);
        return command;
    }

    private static void AddKey(DbCommand command, GrainId grainId, string name)
    {
        Add(command, "@type", grainId.Type);
        Add(command, "@key", grainId.Key);
        Add(command, "@name", name);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
