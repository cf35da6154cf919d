using Flo.Runtime.Hosting;

namespace Flo.Runtime.Membership;

/// <summary>A membership table in memory, shared by in-process silos of a test cluster. For tests only.</summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock gate = new();
    private readonly Dictionary<SiloAddress, (MembershipEntry Entry, long Etag)> rows = [];
    private long version;

    /// <inheritdoc/>
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(Snapshot(rows.Values));
        }
    }

    /// <inheritdoc/>
    public Task<MembershipTableData> ReadRowAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(Snapshot(rows.TryGetValue(silo, out var row) ? [row] : []));
        }
    }

    private MembershipTableData Snapshot(IEnumerable<(MembershipEntry Entry, long Etag)> selected)
        => new(selected.Select(r => (r.Entry, r.Etag.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList(), new TableVersion(version));

    /// <inheritdoc/>
    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (tableVersion.Version != version + 1 || rows.ContainsKey(entry.Silo))
            {
                return Task.FromResult(false);
            }
            rows[entry.Silo] = (entry, 1);
            version = tableVersion.Version;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (tableVersion.Version != version + 1 || !rows.TryGetValue(entry.Silo, out var row)
                || row.Etag.ToString(System.Globalization.CultureInfo.InvariantCulture) != etag)
            {
                return Task.FromResult(false);
            }
            rows[entry.Silo] = (entry, row.Etag + 1);
            version = tableVersion.Version;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (rows.TryGetValue(entry.Silo, out var row))
            {
                rows[entry.Silo] = (row.Entry with { IAmAliveTime = entry.IAmAliveTime }, row.Etag);
            }
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public Task<int> CleanupDefunctEntriesAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var defunct = rows.Values.Where(r => r.Entry.Status == SiloStatus.Dead && r.Entry.IAmAliveTime < before).Select(r => r.Entry.Silo).ToList();
            foreach (var silo in defunct)
            {
                rows.Remove(silo);
            }
            return Task.FromResult(defunct.Count);
        }
    }
}
