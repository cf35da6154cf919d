using Npgsql;

namespace Flo.Bench.Schedules;

/// <summary>
/// PostgreSQL's own counters for one database (<c>pg_stat_database</c>): committed transactions and rows written. Each
/// side has a database of its own, so the difference over the window is what that scheduler asked of the server.
/// </summary>
/// <remarks>The server publishes them about once a second, which a window of several seconds hardly notices.</remarks>
public readonly record struct DatabaseCounters(long Commits, long Inserted, long Updated, long Deleted)
{
    /// <summary>Rows inserted, updated or deleted.</summary>
    public long RowWrites => Inserted + Updated + Deleted;

    /// <summary>The counters of the database <paramref name="connectionString"/> names, now.</summary>
    public static async Task<DatabaseCounters> TakeAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new DatabaseCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    public static DatabaseCounters operator -(DatabaseCounters a, DatabaseCounters b)
        => new(a.Commits - b.Commits, a.Inserted - b.Inserted, a.Updated - b.Updated, a.Deleted - b.Deleted);
}
