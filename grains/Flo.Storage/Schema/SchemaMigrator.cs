using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Flo.Storage.Schema;

/// <summary>
/// Brings a database to the newest embedded <see cref="SchemaScript"/> of its dialect. The applied versions are kept in
/// <c>flo_schema_version(version, name, applied_utc)</c>; each script runs in its own transaction together with its
/// row there, so a failed script leaves nothing behind and the next start retries it.
/// </summary>
/// <remarks>
/// <para>
/// The history table is deliberately not the old runtime's <c>schema_version</c>: a database the old runtime wrote
/// (versions 1-4 there, tables <c>grain_state</c>, <c>grain_records</c>, <c>membership</c>, <c>reminders</c>) gets this
/// schema applied from scratch beside its old tables, whose rows nothing reads any more (they hold the old wire format,
/// keyed by grain type and key). Dropping them is left to an operator.
/// </para>
/// <para>
/// Several silos may start at once against one database: every step begins with an exclusive transaction (PostgreSQL:
/// <c>pg_advisory_xact_lock</c>; SQLite: <c>BEGIN IMMEDIATE</c>) and re-reads the version under it, so each script runs
/// exactly once and a silo that waited finds the work done. A database newer than this silo (a rolling upgrade) is left as is.
/// </para>
/// </remarks>
internal sealed partial class SchemaMigrator
{
    /// <summary>The table that records applied scripts.</summary>
    public const string HistoryTable = "flo_schema_version";

    private readonly string dialect;
    private readonly string createVersionTableSql;
    private readonly Func<CancellationToken, ValueTask<DbConnection>> openConnection;
    private readonly Func<DbConnection, CancellationToken, ValueTask<DbTransaction>> beginExclusive;
    private readonly ILogger logger;

    /// <param name="dialect">The script folder: <c>sqlite</c> or <c>postgres</c>.</param>
    /// <param name="createVersionTableSql">Creates <see cref="HistoryTable"/> if it does not exist.</param>
    /// <param name="openConnection">Opens a connection to the database.</param>
    /// <param name="beginExclusive">Begins a transaction that excludes every other migrator until it ends.</param>
    /// <param name="logger">Logs applied scripts.</param>
    public SchemaMigrator(
        string dialect,
        string createVersionTableSql,
        Func<CancellationToken, ValueTask<DbConnection>> openConnection,
        Func<DbConnection, CancellationToken, ValueTask<DbTransaction>> beginExclusive,
        ILogger logger)
    {
        this.dialect = dialect;
        this.createVersionTableSql = createVersionTableSql;
        this.openConnection = openConnection;
        this.beginExclusive = beginExclusive;
        this.logger = logger;
        Scripts = SchemaScript.Load(dialect);
    }

    /// <summary>The embedded scripts, in order.</summary>
    public IReadOnlyList<SchemaScript> Scripts { get; }

    /// <summary>Applies the scripts newer than the stored version, in order; returns the version the database is at.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await openConnection(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        while (true)
        {
            var transaction = await beginExclusive(connection, cancellationToken).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, createVersionTableSql, cancellationToken).ConfigureAwait(false);
            var current = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var next = Scripts.FirstOrDefault(s => s.Version > current);
            if (next is null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (current > Scripts[^1].Version)
                {
                    LogDatabaseNewer(logger, dialect, current, Scripts[^1].Version);
                }
                else
                {
                    LogUpToDate(logger, dialect, current);
                }
                return current;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await ExecuteAsync(connection, transaction, next.Sql, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e)
            {
                throw new InvalidOperationException($"Schema script {dialect}/{next}.sql failed: {e.Message}", e);
            }
            await RecordAsync(connection, transaction, next, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            LogApplied(logger, dialect, next.ToString(), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = sql;
        // A script may build an index over a large table; the silo's start-up timeout bounds it instead.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = $"SELECT COALESCE(MAX(version), 0) FROM {HistoryTable}";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction transaction, SchemaScript script, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {HistoryTable} (version, name, applied_utc) VALUES (@version, @name, @applied)";
        AddParameter(command, "@version", script.Version);
        AddParameter(command, "@name", script.Name);
        AddParameter(command, "@applied", DateTime.UtcNow);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Applied {Dialect} schema script {Script} in {ElapsedMs:F0} ms")]
    private static partial void LogApplied(ILogger logger, string dialect, string script, double elapsedMs);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "The {Dialect} schema is at version {Version}")]
    private static partial void LogUpToDate(ILogger logger, string dialect, int version);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The {Dialect} schema is at version {Version}, newer than this silo's scripts (up to {Known}); leaving it as is")]
    private static partial void LogDatabaseNewer(ILogger logger, string dialect, int version, int known);
}
