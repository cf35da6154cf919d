using Flo.Runtime.Hosting;
using Flo.Runtime.Lifecycle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Membership;

/// <summary>
/// The failure detector (Orleans' cluster health monitor): every <see cref="MembershipOptions.ProbePeriod"/> it
/// pings the next <see cref="MembershipOptions.NumProbedSilos"/> active silos after this one in address order, so
/// every silo is watched by several others without everyone probing everyone. After
/// <see cref="MembershipOptions.NumMissedProbesLimit"/> missed probes in a row it asks another silo to probe the
/// suspect (indirect probe); only if that fails too does it vote the suspect dead.
/// </summary>
internal sealed partial class ClusterHealthMonitor(
    IClusterMembership membership,
    MembershipAgent agent,
    SiloRuntime runtime,
    SiloDetails silo,
    IOptions<MembershipOptions> options,
    TimeProvider time,
    ILogger<ClusterHealthMonitor> logger) : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly Dictionary<SiloAddress, int> missed = [];
    private readonly CancellationTokenSource stop = new();
    private Task? loop;

    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe("failure-detector", ServiceLifecycleStage.Active,
            _ =>
            {
                loop = Task.Run(() => RunAsync(stop.Token));
                return Task.CompletedTask;
            },
            async _ => await StopAsync().ConfigureAwait(false));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = options.Value.ProbePeriod;
        while (!cancellationToken.IsCancellationRequested && !silo.IsKilled)
        {
            try
            {
                await Task.Delay(period, time, cancellationToken).ConfigureAwait(false);
                await ProbeRoundAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRoundFailed(logger, e);
            }
        }
    }

    /// <summary>The silos this one watches: its successors among the active silos, in address order.</summary>
    internal static IReadOnlyList<SiloAddress> PickTargets(MembershipView view, int count)
    {
        if (view.Self is not { } self)
        {
            return [];
        }
        var ordered = view.ActiveMembers.Select(m => m.Silo).Where(s => !s.Equals(self)).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
        if (ordered.Count <= count)
        {
            return ordered;
        }
        var start = ordered.FindIndex(s => string.CompareOrdinal(s.ToString(), self.ToString()) > 0);
        if (start < 0)
        {
            start = 0;
        }
        return Enumerable.Range(0, count).Select(i => ordered[(start + i) % ordered.Count]).ToList();
    }

    private async Task ProbeRoundAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var view = membership.CurrentView;
        var targets = PickTargets(view, o.NumProbedSilos);
        foreach (var gone in missed.Keys.Where(k => !targets.Contains(k)).ToList())
        {
            missed.Remove(gone);
        }
        var results = await Task.WhenAll(targets.Select(t => runtime.Prober.ProbeAsync(t, o.ProbeTimeout, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            if (results[i])
            {
                missed.Remove(target);
                continue;
            }
            var count = missed[target] = missed.GetValueOrDefault(target) + 1;
            LogMissedProbe(logger, target.ToString(), count, o.NumMissedProbesLimit);
            if (count < o.NumMissedProbesLimit)
            {
                continue;
            }
            if (o.UseIndirectProbes && await ProbeIndirectlyAsync(view, target, cancellationToken).ConfigureAwait(false))
            {
                LogIndirectProbeSucceeded(logger, target.ToString());
                missed.Remove(target);
                continue;
            }
            await agent.SuspectAsync(target, $"{count} missed probes", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> ProbeIndirectlyAsync(MembershipView view, SiloAddress target, CancellationToken cancellationToken)
    {
        var intermediaries = view.ActiveMembers.Select(m => m.Silo).Where(s => !s.Equals(view.Self) && !s.Equals(target)).ToList();
        if (intermediaries.Count == 0)
        {
            return false;
        }
        var intermediary = intermediaries[Random.Shared.Next(intermediaries.Count)];
        return await runtime.Prober.ProbeIndirectlyAsync(intermediary, target, options.Value.ProbeTimeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    // The token source is not disposed: DI may dispose this twice (as itself and as a lifecycle participant), and
    // it holds no timer.
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed probe of silo {Silo} ({Count} of {Limit})")]
    private static partial void LogMissedProbe(ILogger logger, string silo, int count, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} missed direct probes but answered an indirect one; not voting")]
    private static partial void LogIndirectProbeSucceeded(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A probe round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception error);
}
