using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Flo.Reminders;

/// <summary>
/// Orleans' reminder table in an embedded SQLite database, for the single silo (Orleans ships no SQLite reminders).
/// One row per (service id, grain id, reminder name) in <c>orleans_reminders</c>, with the grain's uniform hash for the
/// range reads of the reminder service's ring. The table is created at start, idempotently.
/// </summary>
/// <remarks>
/// <para>ETags: each upsert stores a fresh random 64-bit ETag and returns it. The contract's upsert is unconditional (the
/// last writer wins, as in Orleans' ADO.NET table); <see cref="RemoveRow(GrainId, string, string, CancellationToken)"/>
/// deletes only when the ETag matches. A random ETag, unlike a per-row counter, never matches a row that was removed
/// and created again.</para>
/// <para>Each operation is one statement on a pooled connection with <c>busy_timeout</c> set, so several silos of one
/// machine (or tests) can share the file; the database is in WAL mode so range reads do not wait for writers.</para>
/// </remarks>
public sealed partial class SqliteReminderTable : IReminderTable
{
    internal const string TableName = "orleans_reminders";

    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS {TableName} (
            service_id     TEXT    NOT NULL,
            grain_id       TEXT    NOT NULL,
            reminder_name  TEXT    NOT NULL,
            grain_hash     INTEGER NOT NULL, -- GrainId.GetUniformHashCode(), 0 .. 2^32-1
            start_at_ticks INTEGER NOT NULL, -- ReminderEntry.StartAt, UTC DateTime ticks
            period_ticks   INTEGER NOT NULL, -- ReminderEntry.Period, TimeSpan ticks
            etag           INTEGER NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS {TableName}_hash ON {TableName} (service_id, grain_hash);
        """;

    private const string Columns = "grain_id, reminder_name, start_at_ticks, period_ticks, etag";

    private readonly string serviceId;
    private readonly string connectionString;
    private readonly string? directory;
    private readonly int busyTimeoutMs;
    private readonly ILogger<SqliteReminderTable> logger;

    /// <summary>Creates the table's accessor; nothing is opened until <see cref="StartAsync"/>.</summary>
    public SqliteReminderTable(
        IOptions<ClusterOptions> clusterOptions,
        IOptions<SqliteReminderTableOptions> options,
        ILogger<SqliteReminderTable> logger)
    {
        ArgumentNullException.ThrowIfNull(clusterOptions);
        ArgumentNullException.ThrowIfNull(options);
        serviceId = clusterOptions.Value.ServiceId;
        this.logger = logger;
        var o = options.Value;
        SqliteConnectionStringBuilder builder;
        if (!string.IsNullOrWhiteSpace(o.ConnectionString))
        {
            builder = new SqliteConnectionStringBuilder(o.ConnectionString);
        }
        else if (!string.IsNullOrWhiteSpace(o.DataDirectory))
        {
            directory = Path.GetFullPath(o.DataDirectory);
            builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, SqliteReminderTableOptions.DatabaseFileName) };
        }
        else
        {
            throw new OrleansConfigurationException(
                $"Invalid {nameof(SqliteReminderTableOptions)}: set {nameof(o.ConnectionString)} or {nameof(o.DataDirectory)}.");
        }
        builder.Pooling = true;
        busyTimeoutMs = (int)Math.Clamp(o.BusyTimeout.TotalMilliseconds, 1, int.MaxValue);
        // Microsoft.Data.Sqlite also retries SQLITE_BUSY itself until the command timeout: keep it at least as long.
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, (int)Math.Ceiling(busyTimeoutMs / 1000.0));
        connectionString = builder.ToString();
        DataSource = builder.DataSource;
    }

    /// <summary>The database file (or other SQLite data source) this table lives in.</summary>
    public string DataSource { get; }

    /// <summary>Creates the directory, switches the database to WAL and creates the table and its index when missing.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // The journal mode is a property of the file and can only be changed outside a transaction.
            var mode = Convert.ToString(await ScalarAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                LogNoWal(logger, DataSource, mode ?? "unknown");
            }
            // BEGIN IMMEDIATE: silos starting together on one file create the schema one after the other.
            var transaction = connection.BeginTransaction(deferred: false);
            await using (transaction.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.Transaction = transaction;
                    command.CommandText = Schema;
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        LogStarted(logger, DataSource, serviceId);
    }

    /// <summary>Releases the pooled connections, so the file can be moved or deleted once the silo stopped.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    /// <inheritdoc/>
    public async Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, $"SELECT {Columns} FROM {TableName} WHERE service_id = $service AND grain_id = $grain");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("$grain", grainId.ToString());
                return new ReminderTableData(await ReadAsync(command, cancellationToken).ConfigureAwait(false));
            }
        }
    }

    /// <inheritdoc/>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    /// <summary>
    /// The rows whose grain hash is in the ring range (<paramref name="begin"/>, <paramref name="end"/>]; when
    /// <paramref name="begin"/> ≥ <paramref name="end"/> the range wraps around: hash &gt; begin or hash ≤ end
    /// (so begin = end is the whole ring).
    /// </summary>
    public async Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken)
    {
        var condition = begin < end
            ? "grain_hash > $begin AND grain_hash <= $end"
            : "(grain_hash > $begin OR grain_hash <= $end)";
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, $"SELECT {Columns} FROM {TableName} WHERE service_id = $service AND {condition}");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("$begin", (long)begin);
                command.Parameters.AddWithValue("$end", (long)end);
                return new ReminderTableData(await ReadAsync(command, cancellationToken).ConfigureAwait(false));
            }
        }
    }

    /// <inheritdoc/>
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    /// <inheritdoc/>
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminderName);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, $"SELECT {Columns} FROM {TableName} WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("$grain", grainId.ToString());
                command.Parameters.AddWithValue("$name", reminderName);
                var rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
                return rows.Count == 0 ? null : rows[0];
            }
        }
    }

    /// <inheritdoc/>
    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    /// <summary>Inserts or replaces the entry (last writer wins) and returns its new ETag.</summary>
    public async Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.ReminderName);
        // Reminder times are UTC; a DateTime that lost its kind is taken as UTC, as Orleans' ADO.NET table does.
        var startAt = entry.StartAt.Kind == DateTimeKind.Local ? entry.StartAt.ToUniversalTime() : entry.StartAt;
        var etag = NewETag();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection,
                $"INSERT INTO {TableName} (service_id, grain_id, reminder_name, grain_hash, start_at_ticks, period_ticks, etag) "
                + "VALUES ($service, $grain, $name, $hash, $start, $period, $etag) "
                + "ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET grain_hash = excluded.grain_hash, "
                + "start_at_ticks = excluded.start_at_ticks, period_ticks = excluded.period_ticks, etag = excluded.etag");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("$grain", entry.GrainId.ToString());
                command.Parameters.AddWithValue("$name", entry.ReminderName);
                command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
                command.Parameters.AddWithValue("$start", startAt.Ticks);
                command.Parameters.AddWithValue("$period", entry.Period.Ticks);
                command.Parameters.AddWithValue("$etag", etag);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        return FormatETag(etag);
    }

    /// <inheritdoc/>
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    /// <summary>Deletes the row if it exists with this ETag; false when it does not exist or has another ETag.</summary>
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminderName);
        if (!TryParseETag(eTag, out var expected))
        {
            return false;
        }
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection,
                $"DELETE FROM {TableName} WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name AND etag = $etag");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("$grain", grainId.ToString());
                command.Parameters.AddWithValue("$name", reminderName);
                command.Parameters.AddWithValue("$etag", expected);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            }
        }
    }

    /// <inheritdoc/>
    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    /// <summary>Deletes every row of this service id (other services sharing the file keep theirs).</summary>
    public async Task TestOnlyClearTable(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, $"DELETE FROM {TableName} WHERE service_id = $service");
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // A per-connection setting: set on every open, so pooled connections have it too.
            await ScalarAsync(connection, $"PRAGMA busy_timeout = {busyTimeoutMs.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", serviceId);
        return command;
    }

    private static async Task<List<ReminderEntry>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<ReminderEntry>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new ReminderEntry
                {
                    GrainId = GrainId.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                    ReminderName = reader.GetString(1),
                    StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                    Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                    ETag = FormatETag(reader.GetInt64(4)),
                });
            }
        }
        return rows;
    }

    private static long NewETag()
    {
        long etag;
        do
        {
            etag = Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        }
        while (etag == 0);
        return etag;
    }

    private static string FormatETag(long etag) => etag.ToString("x16", CultureInfo.InvariantCulture);

    private static bool TryParseETag(string? eTag, out long etag)
        => long.TryParse(eTag, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out etag) && eTag!.Length == 16;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SQLite reminder table ready in {DataSource} for service {ServiceId}")]
    private static partial void LogStarted(ILogger logger, string dataSource, string serviceId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "SQLite database {DataSource} could not switch to WAL (journal mode {Mode}); readers will wait for writers")]
    private static partial void LogNoWal(ILogger logger, string dataSource, string mode);
}
