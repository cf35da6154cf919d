using System.Net;
using Flo.Messaging;
using Flo.Runtime.Hosting;
using Flo.Runtime.Lifecycle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Membership;

/// <summary>
/// This silo's part in the membership protocol: its own row (inserted Joining, made Active when the silo becomes
/// active, refreshed by an I-am-alive heartbeat, ShuttingDown when it starts to stop, Dead once its grains are
/// gone); suspicion votes against silos the failure detector gave up on, and death declaration when enough votes
/// agree; gossip of every change it makes to the other silos; a periodic re-read of the table; and stopping this
/// silo when it finds that the cluster declared it dead.
/// </summary>
internal sealed partial class MembershipAgent(
    IMembershipTable table,
    ClusterMembershipService membership,
    SiloRuntime runtime,
    SiloDetails silo,
    IOptions<EndpointOptions> endpoints,
    IOptions<MembershipOptions> options,
    IOptions<GrainCollectionOptions> collection,
    TimeProvider time,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime host,
    ILogger<MembershipAgent> logger) : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private MembershipEntry? entry;
    private ITimer? heartbeat;
    private ITimer? refresh;
    private int stopping;

    /// <summary>This incarnation's address (known once joined).</summary>
    public SiloAddress? Address => entry?.Silo;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe("membership-table", ServiceLifecycleStage.RuntimeStorage + 1, table.InitializeAsync, ct => SetStatusAsync(SiloStatus.Dead, ct));
        lifecycle.Subscribe("membership", ServiceLifecycleStage.BecomeActive, JoinAsync, LeaveAsync);
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
                silo.Address = candidate.Silo;
                membership.SetSelf(candidate.Silo);
                break;
            }
            if (attempt > 100)
            {
                throw new InvalidOperationException("Could not insert this silo into the membership table.");
            }
        }
        membership.ViewChanged += OnViewChanged;
        await RetirePreviousIncarnationsAsync(cancellationToken).ConfigureAwait(false);
        await CheckConnectivityAsync(cancellationToken).ConfigureAwait(false);
        await SetStatusAsync(SiloStatus.Active, cancellationToken).ConfigureAwait(false);
        heartbeat = time.CreateTimer(static s => _ = ((MembershipAgent)s!).HeartbeatAsync(), this, options.Value.IAmAlivePeriod, options.Value.IAmAlivePeriod);
        refresh = time.CreateTimer(static s => _ = ((MembershipAgent)s!).PeriodicRefreshAsync(), this, options.Value.TableRefreshPeriod, options.Value.TableRefreshPeriod);
        var removed = await table.CleanupDefunctEntriesAsync(now - options.Value.DefunctSiloExpiration, cancellationToken).ConfigureAwait(false);
        LogJoined(logger, entry!.Silo.ToString(), removed);
    }

    /// <summary>
    /// An older incarnation on this silo's own address cannot be alive: this process holds its port now. Declaring
    /// it dead at once (as Orleans does) means a silo restarted after a crash does not wait for the failure detector.
    /// </summary>
    private async Task RetirePreviousIncarnationsAsync(CancellationToken cancellationToken)
    {
        var self = entry!.Silo;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var data = await table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var old = data.Entries.FirstOrDefault(e => e.Entry.Status != SiloStatus.Dead && e.Entry.Silo.Host == self.Host
                && e.Entry.Silo.Port == self.Port && e.Entry.Silo.Generation < self.Generation);
            if (old.Entry is null)
            {
                return;
            }
            if (await table.UpdateRowAsync(old.Entry with { Status = SiloStatus.Dead }, old.Etag, data.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                LogRetired(logger, old.Entry.Silo.ToString());
            }
        }
    }

    /// <summary>
    /// Join-time connectivity check (Orleans' ValidateInitialConnectivity): every silo the table lists as Active must
    /// answer a probe before this one becomes Active. A silo that does not answer and has missed two heartbeats is
    /// gone (this silo votes it dead); one with a fresh heartbeat is waited for, since the others will either hear
    /// from it or declare it dead. If that does not resolve within <see cref="MembershipOptions.MaxJoinAttemptTime"/>,
    /// the silo fails to start with the unreachable addresses rather than join a cluster it cannot talk to.
    /// </summary>
    private async Task CheckConnectivityAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var self = entry!.Silo;
        var started = time.GetUtcNow();
        while (true)
        {
            var data = await table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            membership.Publish(data);
            var others = data.Entries.Select(e => e.Entry).Where(e => e.Status == SiloStatus.Active && !e.Silo.Equals(self)).ToList();
            var answered = await Task.WhenAll(others.Select(e => runtime.Prober.ProbeAsync(e.Silo, o.ProbeTimeout, cancellationToken))).ConfigureAwait(false);
            var unreachable = others.Where((_, i) => !answered[i]).ToList();
            if (unreachable.Count == 0)
            {
                return;
            }
            var now = time.GetUtcNow();
            foreach (var stale in unreachable.Where(e => now - e.IAmAliveTime > o.IAmAlivePeriod * 2))
            {
                await SuspectAsync(stale.Silo, "unreachable at join and its heartbeat is stale", cancellationToken).ConfigureAwait(false);
            }
            if (now - started > o.MaxJoinAttemptTime)
            {
                // This incarnation never served; leave no Joining row behind.
                await SetStatusAsync(SiloStatus.Dead, cancellationToken, gossip: false).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"Silo {self} cannot reach active silo(s) {string.Join(", ", unreachable.Select(e => $"{e.SiloName} ({e.Silo})"))} on their silo ports " +
                    $"after {o.MaxJoinAttemptTime}; check the network between silos (Cluster:Endpoints:SiloPort).");
            }
            LogWaitingForConnectivity(logger, string.Join(", ", unreachable.Select(e => e.SiloName)));
            await Task.Delay(o.ProbePeriod, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Graceful leave: ShuttingDown in the table takes this silo off the ring in its own view, so its grains
    /// deactivate and requests queued on them follow them to their new owners; only once they are gone are the other
    /// silos told (gossip), so a new owner never activates a grain while its old activation is still finishing.
    /// </summary>
    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await SetStatusAsync(SiloStatus.ShuttingDown, cancellationToken, gossip: false).ConfigureAwait(false);
        await runtime.Catalog.DeactivateAllAsync(collection.Value.DeactivationTimeout).ConfigureAwait(false);
        Gossip();
    }

    private async Task HeartbeatAsync()
    {
        if (entry is not { } current || silo.IsKilled)
        {
            return;
        }
        try
        {
            var own = await table.ReadRowAsync(current.Silo, CancellationToken.None).ConfigureAwait(false);
            if (own.Entries.Count == 1 && own.Entries[0].Entry.Status == SiloStatus.Dead)
            {
                StopDeclaredDead(current.Silo);
                return;
            }
            await table.UpdateIAmAliveAsync(current with { IAmAliveTime = time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogHeartbeatFailed(logger, e);
        }
    }

    /// <summary>
    /// A dead incarnation never comes back: when the cluster declared this silo dead (its grains may already be
    /// active elsewhere), it stops itself rather than keep serving.
    /// </summary>
    private void StopDeclaredDead(SiloAddress self)
    {
        if (Interlocked.Exchange(ref stopping, 1) != 0 || silo.IsKilled)
        {
            return;
        }
        LogDeclaredDead(logger, self.ToString());
        entry = null;
        host.StopApplication();
    }

    private void OnViewChanged(MembershipView view)
    {
        if (entry is { } current && view.Find(current.Silo) is { Status: SiloStatus.Dead })
        {
            StopDeclaredDead(current.Silo);
        }
    }

    private async Task PeriodicRefreshAsync()
    {
        if (silo.IsKilled)
        {
            return;
        }
        await RefreshViewAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Votes that <paramref name="suspect"/> is dead, and declares it dead when the unexpired votes (this one
    /// included) reach the number needed: min(<see cref="MembershipOptions.NumVotesForDeathDeclaration"/>, half the
    /// active silos rounded up). Every write is conditional on the row ETag and table version, so concurrent voters
    /// each either add their vote to the latest row or retry on it.
    /// </summary>
    public async Task SuspectAsync(SiloAddress suspect, string reason, CancellationToken cancellationToken)
    {
        if (entry is not { } self || silo.IsKilled)
        {
            return;
        }
        var o = options.Value;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var data = await table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var row = data.Entries.FirstOrDefault(e => e.Entry.Silo.Equals(suspect));
            if (row.Entry is null || row.Entry.Status == SiloStatus.Dead)
            {
                membership.Publish(data);
                return;
            }
            var now = time.GetUtcNow();
            var votes = row.Entry.Suspicions.Where(v => now - v.Time < o.DeathVoteExpirationTimeout && !v.Voter.Equals(self.Silo)).ToList();
            votes.Add(new SuspectVote(self.Silo, now));
            var active = data.Entries.Count(e => e.Entry.Status == SiloStatus.Active);
            var needed = Math.Max(1, Math.Min(o.NumVotesForDeathDeclaration, (active + 1) / 2));
            var declareDead = votes.Count >= needed;
            var updated = row.Entry with { Suspicions = votes, Status = declareDead ? SiloStatus.Dead : row.Entry.Status };
            if (await table.UpdateRowAsync(updated, row.Etag, data.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                if (declareDead)
                {
                    LogDeclaredOtherDead(logger, suspect.ToString(), votes.Count, needed, reason);
                }
                else
                {
                    LogVoted(logger, suspect.ToString(), votes.Count, needed, reason);
                }
                await RefreshViewAsync(cancellationToken).ConfigureAwait(false);
                Gossip();
                return;
            }
        }
    }

    /// <summary>Tells every other silo the table changed, so they re-read it now rather than at their next refresh.</summary>
    private void Gossip()
    {
        var view = membership.CurrentView;
        if (view.Self is not { } self)
        {
            return;
        }
        foreach (var member in view.Members)
        {
            if (!member.Silo.Equals(self) && member.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown)
            {
                _ = GossipToAsync(member.Silo, self);
            }
        }
    }

    private async Task GossipToAsync(SiloAddress target, SiloAddress self)
    {
        try
        {
            await runtime.Connections.SendAsync(target, new Message { Kind = MessageKind.MembershipChanged, SenderSilo = self.ToString() }, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FloException)
        {
            // An unreachable silo learns at its next table refresh, or is being declared dead.
        }
    }

    /// <summary>Changes this silo's status in the table, retrying on concurrent changes by other silos.</summary>
    private async Task SetStatusAsync(SiloStatus status, CancellationToken cancellationToken, bool gossip = true)
    {
        if (entry is null)
        {
            return;
        }
        if (status == SiloStatus.Dead)
        {
            // This silo is leaving on its own; seeing itself Dead in the next view is not a death declaration.
            Interlocked.Exchange(ref stopping, 1);
            await StopTimersAsync().ConfigureAwait(false);
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
            if (stored.Status == SiloStatus.Dead && status != SiloStatus.Dead)
            {
                // Declared dead by the others meanwhile: never undo that.
                StopDeclaredDead(stored.Silo);
                return;
            }
            if (await table.UpdateRowAsync(updated, etag, data.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                entry = updated;
                await RefreshViewAsync(cancellationToken).ConfigureAwait(false);
                if (gossip)
                {
                    Gossip();
                }
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

    private async Task StopTimersAsync()
    {
        if (heartbeat is not null)
        {
            await heartbeat.DisposeAsync().ConfigureAwait(false);
            heartbeat = null;
        }
        if (refresh is not null)
        {
            await refresh.DisposeAsync().ConfigureAwait(false);
            refresh = null;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        membership.ViewChanged -= OnViewChanged;
        await StopTimersAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the membership table as {Silo} (removed {Removed} defunct rows)")]
    private static partial void LogJoined(ILogger logger, string silo, int removed);

    [LoggerMessage(Level = LogLevel.Error, Message = "This silo ({Silo}) was declared dead by the cluster; stopping")]
    private static partial void LogDeclaredDead(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Declared silo {Silo} dead ({Votes} of {Needed} votes): {Reason}")]
    private static partial void LogDeclaredOtherDead(ILogger logger, string silo, int votes, int needed, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Voted that silo {Silo} is dead ({Votes} of {Needed} votes): {Reason}")]
    private static partial void LogVoted(ILogger logger, string silo, int votes, int needed, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Declared {Silo}, an earlier incarnation on this silo's address, dead")]
    private static partial void LogRetired(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Joining: waiting until active silo(s) {Silos} answer or are declared dead")]
    private static partial void LogWaitingForConnectivity(ILogger logger, string silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the I-am-alive heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not set this silo's membership status to {Status}")]
    private static partial void LogStatusFailed(ILogger logger, SiloStatus status);
}
