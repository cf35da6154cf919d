using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Membership;

/// <summary>
/// Keeps this silo's <see cref="MembershipView"/>: re-reads the table when asked (after this silo's own changes,
/// on gossip from another silo, and periodically) and publishes each newer version to subscribers in order.
/// </summary>
public sealed partial class ClusterMembershipService(IMembershipTable table, ILogger<ClusterMembershipService> logger) : IClusterMembership
{
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private readonly object publishLock = new();
    private MembershipView view = MembershipView.Empty;
    private SiloAddress? self;

    /// <inheritdoc/>
    public MembershipView CurrentView => Volatile.Read(ref view);

    /// <inheritdoc/>
    public event Action<MembershipView>? ViewChanged;

    /// <summary>Set by the membership agent once this incarnation has its row.</summary>
    internal void SetSelf(SiloAddress address) => self = address;

    /// <inheritdoc/>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var data = await table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            Publish(data);
        }
        finally
        {
            refreshing.Release();
        }
    }

    /// <summary>Publishes a snapshot read elsewhere (e.g. by the agent), if it is newer than the current view.</summary>
    internal void Publish(MembershipTableData data)
    {
        MembershipView next;
        lock (publishLock)
        {
            var current = view;
            // The same version can still differ in heartbeats only; those do not change the view.
            if (data.Version.Version <= current.Version && ReferenceEquals(current.Self, self))
            {
                return;
            }
            next = new MembershipView(self, data.Version.Version, data.Entries.Select(e => e.Entry).ToArray());
            Volatile.Write(ref view, next);
            LogViewChanged(logger, next.Version, next.ActiveMembers.Count, string.Join(", ", next.ActiveMembers.Select(m => m.SiloName)));
            try
            {
                ViewChanged?.Invoke(next);
            }
            catch (Exception e)
            {
                LogSubscriberFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Membership view {Version}: {ActiveCount} active silos ({Active})")]
    private static partial void LogViewChanged(ILogger logger, long version, int activeCount, string active);

    [LoggerMessage(Level = LogLevel.Error, Message = "A membership view subscriber failed")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception error);
}
