using System.Data.Common;
using System.Globalization;
using Flo.Runtime.Hosting;
using Flo.Runtime.Storage;

namespace Flo.Runtime.Membership;

/// <summary>
/// The membership table in the storage database (SQLite or PostgreSQL, schema script 002). A change runs in one
/// transaction: bump the cluster's version row from the expected version, then insert or conditionally update the
/// silo's row; if either matches no row, the transaction rolls back and the change is refused.
/// </summary>
public sealed class RelationalMembershipTable(IRelationalStorageBackend backend, string clusterId) : IMembershipTable
{
    private const string Columns = "address, port, generation, silo_name, status, gateway_port, http_port, start_time, i_am_alive_time, suspect_times, etag";

    /// <inheritdoc/>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "INSERT INTO membership_version (cluster_id, version) VALUES (@cluster, 0) ON CONFLICT (cluster_id) DO NOTHING");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken)
        => ReadAsync($"SELECT {Columns} FROM membership WHERE cluster_id = @cluster", null, cancellationToken);

    /// <inheritdoc/>
    public Task<MembershipTableData> ReadRowAsync(SiloAddress silo, CancellationToken cancellationToken)
        => ReadAsync($"SELECT {Columns} FROM membership WHERE cluster_id = @cluster AND address = @address AND port = @port AND generation = @generation", silo, cancellationToken);

    private async Task<MembershipTableData> ReadAsync(string sql, SiloAddress? silo, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long version;
        await using (var v = Command(connection, transaction, "SELECT version FROM membership_version WHERE cluster_id = @cluster"))
        {
            version = Convert.ToInt64(await v.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L, CultureInfo.InvariantCulture);
        }
        var entries = new List<(MembershipEntry, string)>();
        await using (var select = Command(connection, transaction, sql))
        {
            if (silo is not null)
            {
                AddKey(select, silo);
            }
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add((ReadEntry(reader), reader.GetInt64(10).ToString(CultureInfo.InvariantCulture)));
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MembershipTableData(entries, new TableVersion(version));
    }

    /// <inheritdoc/>
    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion version, CancellationToken cancellationToken)
        => ChangeAsync(version, $"INSERT INTO membership (cluster_id, {Columns}) VALUES (@cluster, @address, @port, @generation, @name, @status, @gateway, @http, @start, @alive, @suspects, 1) ON CONFLICT DO NOTHING",
            entry, null, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion version, CancellationToken cancellationToken)
    {
        if (!long.TryParse(etag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rowEtag))
        {
            return Task.FromResult(false);
        }
        return ChangeAsync(version,
            "UPDATE membership SET silo_name = @name, status = @status, gateway_port = @gateway, http_port = @http, start_time = @start, i_am_alive_time = @alive, suspect_times = @suspects, etag = etag + 1 "
            + "WHERE cluster_id = @cluster AND address = @address AND port = @port AND generation = @generation AND etag = @etag",
            entry, rowEtag, cancellationToken);
    }

    private async Task<bool> ChangeAsync(TableVersion version, string rowSql, MembershipEntry entry, long? rowEtag, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var bump = Command(connection, transaction, "UPDATE membership_version SET version = @next WHERE cluster_id = @cluster AND version = @expected"))
        {
            AddParameter(bump, "@next", version.Version);
            AddParameter(bump, "@expected", version.Version - 1);
            if (await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }
        await using (var row = Command(connection, transaction, rowSql))
        {
            AddEntry(row, entry);
            if (rowEtag is { } e)
            {
                AddParameter(row, "@etag", e);
            }
            if (await row.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            "UPDATE membership SET i_am_alive_time = @alive WHERE cluster_id = @cluster AND address = @address AND port = @port AND generation = @generation");
        AddKey(command, entry.Silo);
        AddParameter(command, "@alive", entry.IAmAliveTime.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<int> CleanupDefunctEntriesAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await backend.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "DELETE FROM membership WHERE cluster_id = @cluster AND status = @dead AND i_am_alive_time < @before");
        AddParameter(command, "@dead", (int)SiloStatus.Dead);
        AddParameter(command, "@before", before.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        AddParameter(command, "@cluster", clusterId);
        return command;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private static void AddKey(DbCommand command, SiloAddress silo)
    {
        AddParameter(command, "@address", silo.Host);
        AddParameter(command, "@port", silo.Port);
        AddParameter(command, "@generation", silo.Generation);
    }

    private static void AddEntry(DbCommand command, MembershipEntry e)
    {
        AddKey(command, e.Silo);
        AddParameter(command, "@name", e.SiloName);
        AddParameter(command, "@status", (int)e.Status);
        AddParameter(command, "@gateway", e.GatewayPort);
        AddParameter(command, "@http", e.HttpPort);
        AddParameter(command, "@start", e.StartTime.ToUnixTimeMilliseconds());
        AddParameter(command, "@alive", e.IAmAliveTime.ToUnixTimeMilliseconds());
        AddParameter(command, "@suspects", string.Join(';', e.Suspicions.Select(s => $"{s.Voter}|{s.Time.ToUnixTimeMilliseconds()}")));
    }

    private static MembershipEntry ReadEntry(DbDataReader r)
    {
        var suspects = r.GetString(9);
        return new MembershipEntry
        {
            Silo = new SiloAddress(r.GetString(0), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture)),
            SiloName = r.GetString(3),
            Status = (SiloStatus)Convert.ToInt32(r.GetValue(4), CultureInfo.InvariantCulture),
            GatewayPort = Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture),
            HttpPort = Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture),
            StartTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
            IAmAliveTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
            Suspicions = suspects.Length == 0 ? [] : suspects.Split(';').Select(s =>
            {
                var bar = s.LastIndexOf('|');
                return new SuspectVote(SiloAddress.Parse(s[..bar]), DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(s[(bar + 1)..], CultureInfo.InvariantCulture)));
            }).ToList(),
        };
    }
}
