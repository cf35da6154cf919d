namespace Flo.Runtime.Membership;

/// <summary>
/// The cluster's membership table (Orleans' IMembershipTable). Every insert or update names the table version it
/// read and the version it writes; the change and the version bump commit together or not at all, so two silos
/// acting on the same view cannot both change it.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates this cluster's version row if missing (version 0).</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Reads every row of this cluster.</summary>
    Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Reads one row (the list is empty when it does not exist).</summary>
    Task<MembershipTableData> ReadRowAsync(SiloAddress silo, CancellationToken cancellationToken);

    /// <summary>Inserts a row if the stored version is <paramref name="version"/> - 1 and the row is new; false otherwise.</summary>
    Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion version, CancellationToken cancellationToken);

    /// <summary>Updates a row if its ETag is <paramref name="etag"/> and the stored version is <paramref name="version"/> - 1; false otherwise.</summary>
    Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion version, CancellationToken cancellationToken);

    /// <summary>Writes the silo's heartbeat alone (no version bump: heartbeats are not membership changes).</summary>
    Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken);

    /// <summary>Deletes rows of dead silos whose last heartbeat is older than <paramref name="before"/>.</summary>
    Task<int> CleanupDefunctEntriesAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
