using Flo.Kv;
using Flo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flo.Grains.Kv;

/// <summary>
/// Each silo's sweep of the key index: once a second, the listed keys whose due time came (expired keys, and keys
/// listed before their expiry was known) are told one-way to settle (<see cref="IKvKeyGrain.SettleListing"/>): an
/// expired key's value is reclaimed and it leaves the index. Scans already hide expired keys, so the sweep only frees
/// storage; every silo sweeps (settling twice is harmless), so it goes on while any silo is up.
/// </summary>
public sealed partial class KvExpirySweeper(
    IGrainFactory grains,
    [FromKeyedServices(FloStorage.Name)] IGrainListing listing,
    TimeProvider time,
    ILogger<KvExpirySweeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How often due keys are looked for.</summary>
    internal static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most keys told per round. One read per round: the keys just told settle asynchronously (one-way), so reading
    /// again at once would find the same ones; a backlog larger than this drains over the next rounds (scans already
    /// hide what it holds).
    /// </summary>
    internal const int BatchSize = 4096;

    private CancellationTokenSource? stopping;
    private Task? loop;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe(nameof(KvExpirySweeper), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        stopping = new CancellationTokenSource();
        loop = Task.Run(() => RunAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        if (stopping is null || loop is null)
        {
            return;
        }
        await stopping.CancelAsync();
        await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Period, time, cancellationToken);
                await SweepAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store or the cluster is unavailable for a moment: the next round tries again.
                LogSweepFailed(logger, e);
            }
        }
    }

    /// <summary>Tells the keys due now (up to <see cref="BatchSize"/>) to settle; returns how many were told.</summary>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = await listing.ListDueAsync(KvListing.StateName, KvListing.GrainType, now, BatchSize, cancellationToken);
        foreach (var entry in due)
        {
            await grains.GetGrain<IKvKeyGrain>(entry.Key).SettleListing();
        }
        return due.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The KV expiry sweep failed; trying again in a second")]
    private static partial void LogSweepFailed(ILogger logger, Exception error);
}
