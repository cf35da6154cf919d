namespace Flo.Runtime.Membership;

/// <summary>
/// This silo's current view of the cluster (Orleans' membership oracle, read side). Routing, the catalog, reminders
/// and connections follow <see cref="ViewChanged"/>; a newer table version always replaces an older view.
/// </summary>
public interface IClusterMembership
{
    /// <summary>The latest view.</summary>
    MembershipView CurrentView { get; }

    /// <summary>Raised (on a thread-pool thread, never concurrently) after the view moved to a newer version.</summary>
    event Action<MembershipView>? ViewChanged;

    /// <summary>Re-reads the table now and publishes the view if it is newer.</summary>
    Task RefreshAsync(CancellationToken cancellationToken);
}
