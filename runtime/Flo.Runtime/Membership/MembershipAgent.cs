using System.Net;
using Flo.Runtime.Hosting;
using Flo.Runtime.Lifecycle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Membership;

/// <summary>
/// This silo's row in the membership table: inserted as Joining then made Active when the silo becomes active,
/// refreshed by an I-am-alive heartbeat (which also stops the silo if the cluster declared it dead), ShuttingDown when it starts to stop and Dead once its grains are gone.
/// (Probing, suspicion and death declaration of other silos come with the cluster work.)
/// </summary>
public sealed partial class MembershipAgent(
    IMembershipTable table,
    ClusterMembershipService membership,
    SiloDetails silo,
    IOptions<EndpointOptions> endpoints,
    IOptions<MembershipOptions> options,
    TimeProvider time,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime host,
    ILogger<MembershipAgent> logger) : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private MembershipEntry? entry;
    private ITimer? heartbeat;

    /// <summary>This incarnation's address (known once joined).</summary>
    public SiloAddress? Address => entry?.Silo;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe("membership-table", ServiceLifecycleStage.RuntimeStorage + 1, table.InitializeAsync, ct => SetStatusAsync(SiloStatus.Dead, ct));
        lifecycle.Subscribe("membership", ServiceLifecycleStage.BecomeActive, JoinAsync, ct => SetStatusAsync(SiloStatus.ShuttingDown, ct));
    }

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        var e = endpoints.Value;
        var host = IPAddress.TryParse(e.ListenAddress, out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) ? e.ListenAddress : Dns.GetHostName();
        var now = time.GetUtcNow();
        // Seconds since 2024 make each start a new generation: a restarted silo is a new incarnation.
        var generation = (int)(now.ToUnixTimeSeconds() - 1_704_067_200);
        for (var attempt = 0; ; attempt++)
        {
            var candidate = new MembershipEntry
            {
                Silo = new SiloAddress(host, e.SiloPort, generation + attempt),
                SiloName = silo.Name,
                Status = SiloStatus.Joining,
                GatewayPort = e.GatewayPort,
                HttpPort = e.HttpPort,
                StartTime = now,
                IAmAliveTime = now,
            };
            var version = (await table.ReadAllAsync(cancellationToken).ConfigureAwait(false)).Version;
            if (await table.InsertRowAsync(candidate, version.Next(), cancellationToken).ConfigureAwait(false))
            {
                entry = candidate;
                membership.SetSelf(candidate.Silo);
                break;
            }
            if (attempt > 100)
            {
                throw new InvalidOperationException("Could not insert this silo into the membership table.");
            }
        }
        await SetStatusAsync(SiloStatus.Active, cancellationToken).ConfigureAwait(false);
        heartbeat = time.CreateTimer(static s => _ = ((MembershipAgent)s!).HeartbeatAsync(), this, options.Value.IAmAlivePeriod, options.Value.IAmAlivePeriod);
        var removed = await table.CleanupDefunctEntriesAsync(now - options.Value.DefunctSiloExpiration, cancellationToken).ConfigureAwait(false);
        LogJoined(logger, entry!.Silo.ToString(), removed);
    }

    private async Task HeartbeatAsync()
    {
        if (entry is not { } current)
        {
            return;
        }
        try
        {
            // A dead incarnation never comes back: if the cluster declared this silo dead, it stops itself rather
            // than keep serving grains that may now be active elsewhere.
            var own = await table.ReadRowAsync(current.Silo, CancellationToken.None).ConfigureAwait(false);
            if (own.Entries.Count == 1 && own.Entries[0].Entry.Status == SiloStatus.Dead && !silo.IsKilled)
            {
                LogDeclaredDead(logger, current.Silo.ToString());
                entry = null;
                host.StopApplication();
                return;
            }
            await table.UpdateIAmAliveAsync(current with { IAmAliveTime = time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogHeartbeatFailed(logger, e);
        }
    }

    /// <summary>Changes this silo's status in the table, retrying on concurrent changes by other silos.</summary>
    private async Task SetStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        if (entry is null)
        {
            return;
        }
        if (status == SiloStatus.Dead && heartbeat is not null)
        {
            await heartbeat.DisposeAsync().ConfigureAwait(false);
            heartbeat = null;
        }
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var data = await table.ReadRowAsync(entry.Silo, cancellationToken).ConfigureAwait(false);
            if (data.Entries.Count == 0)
            {
                return;
            }
            var (stored, etag) = data.Entries[0];
            var updated = stored with { Status = status, IAmAliveTime = time.GetUtcNow() };
            if (await table.UpdateRowAsync(updated, etag, data.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                entry = updated;
                await RefreshViewAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        LogStatusFailed(logger, status);
    }

    private async Task RefreshViewAsync(CancellationToken cancellationToken)
    {
        try
        {
            await membership.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The periodic refresh will catch up; the status change itself is committed.
            LogHeartbeatFailed(logger, e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (heartbeat is not null)
        {
            await heartbeat.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the membership table as {Silo} (removed {Removed} defunct rows)")]
    private static partial void LogJoined(ILogger logger, string silo, int removed);

    [LoggerMessage(Level = LogLevel.Error, Message = "This silo ({Silo}) was declared dead by the cluster; stopping")]
    private static partial void LogDeclaredDead(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the I-am-alive heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not set this silo's membership status to {Status}")]
    private static partial void LogStatusFailed(ILogger logger, SiloStatus status);
}
