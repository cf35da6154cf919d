using System.Collections.Concurrent;
using Flo.Runtime.Hosting;
using Flo.Runtime.Lifecycle;
using Flo.Runtime.Membership;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Reminders;

/// <summary>
/// Reminders on this silo: registration for its grains (<see cref="IReminderRegistry"/>) and delivery of the due
/// reminders whose grains this silo owns on the hash ring. Every <see cref="ReminderOptions.PollPeriod"/> it reads
/// the due rows; for each it owns it calls <see cref="IRemindable.ReceiveReminder"/> (activating the grain), then
/// moves the row to the next due time, conditional on its ETag. Ownership follows membership: when a silo dies or
/// leaves, the next owner of each grain finds its reminders due and delivers them. Delivery is at least once: a
/// silo that dies after the call but before the row moved leaves the tick to be delivered again.
/// </summary>
/// <remarks>
/// Missed ticks (the cluster was down, or the owner was being replaced): a reminder found more than one tick late
/// delivers one tick with <see cref="TickStatus.MissedTicks"/> set under <see cref="MissedTickPolicy.FireOnce"/>,
/// nothing under <see cref="MissedTickPolicy.Skip"/>, and then continues with the first tick after now.
/// </remarks>
internal sealed partial class ReminderService(
    IReminderTable table,
    IClusterMembership membership,
    IGrainFactory grains,
    SiloDetails silo,
    IOptions<ReminderOptions> options,
    TimeProvider time,
    ILogger<ReminderService> logger) : IReminderRegistry, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly ConcurrentDictionary<(GrainId, string), byte> inFlight = new();
    private readonly CancellationTokenSource stop = new();
    private SemaphoreSlim? slots;
    private Task? loop;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe("reminders", ServiceLifecycleStage.Active,
            _ =>
            {
                slots = new SemaphoreSlim(options.Value.MaxConcurrentTicks);
                loop = Task.Run(() => RunAsync(stop.Token));
                return Task.CompletedTask;
            },
            async _ => await StopAsync().ConfigureAwait(false));

    /// <inheritdoc/>
    public async Task RegisterAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period, MissedTickPolicy policy, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        if (dueTime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "The due time must not be negative.");
        }
        if (period < options.Value.MinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"A reminder period must be at least {options.Value.MinimumPeriod} (Cluster:Reminders:MinimumPeriod); use a grain timer for shorter ones.");
        }
        var start = Now + (long)dueTime.TotalMilliseconds;
        await table.UpsertAsync(new ReminderEntry
        {
            GrainId = grainId, Name = name, StartAtMs = start, PeriodMs = (long)period.TotalMilliseconds, Policy = policy, NextDueMs = start,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task RegisterCronAsync(GrainId grainId, string name, string cron, TimeZoneInfo? timeZone, MissedTickPolicy policy, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(cron);
        ReminderSchedule.ParseCron(cron);
        var now = Now;
        var entry = new ReminderEntry
        {
            GrainId = grainId, Name = name, StartAtMs = now, Cron = cron, TimeZone = timeZone is null || timeZone == TimeZoneInfo.Utc ? null : timeZone.Id, Policy = policy,
        };
        var first = ReminderSchedule.NextAfter(entry, now);
        await table.UpsertAsync(entry with { StartAtMs = first, NextDueMs = first }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<bool> UnregisterAsync(GrainId grainId, string name, CancellationToken cancellationToken = default)
        => table.RemoveAsync(grainId, name, cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReminderInfo>> ListAsync(GrainId grainId, CancellationToken cancellationToken = default)
        => (await table.ReadGrainAsync(grainId, cancellationToken).ConfigureAwait(false)).Select(e => new ReminderInfo
        {
            Name = e.Name,
            Period = TimeSpan.FromMilliseconds(e.PeriodMs),
            Cron = e.Cron,
            NextDue = DateTimeOffset.FromUnixTimeMilliseconds(e.NextDueMs),
            Policy = e.Policy,
        }).ToList();

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 256 || name.Contains('\0'))
        {
            throw new ArgumentException("A reminder name is 1 to 256 characters without NUL.", nameof(name));
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && !silo.IsKilled)
        {
            try
            {
                await Task.Delay(options.Value.PollPeriod, time, cancellationToken).ConfigureAwait(false);
                if (!silo.IsActive)
                {
                    continue;
                }
                var view = membership.CurrentView;
                foreach (var entry in await table.ReadDueAsync(Now, cancellationToken).ConfigureAwait(false))
                {
                    if ((view.Self is null || view.IsLocal(entry.GrainId)) && inFlight.TryAdd((entry.GrainId, entry.Name), 0))
                    {
                        await slots!.WaitAsync(cancellationToken).ConfigureAwait(false);
                        _ = FireAsync(entry);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogPollFailed(logger, e);
            }
        }
    }

    private async Task FireAsync(ReminderEntry entry)
    {
        try
        {
            var now = Now;
            var missed = ReminderSchedule.MissedAfter(entry, entry.NextDueMs, now);
            if (missed == 0 || entry.Policy == MissedTickPolicy.FireOnce)
            {
                var status = new TickStatus
                {
                    FirstTickTime = DateTimeOffset.FromUnixTimeMilliseconds(entry.StartAtMs),
                    Period = TimeSpan.FromMilliseconds(entry.PeriodMs),
                    Cron = entry.Cron,
                    CurrentTickTime = DateTimeOffset.FromUnixTimeMilliseconds(entry.NextDueMs),
                    MissedTicks = missed,
                };
                try
                {
                    await grains.GetGrain<IRemindable>(entry.GrainId).ReceiveReminder(entry.Name, status).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // The schedule carries on: a failing grain must not turn into a tight retry loop.
                    LogTickFailed(logger, e, entry.Name, entry.GrainId.ToString());
                }
            }
            else
            {
                LogSkipped(logger, entry.Name, entry.GrainId.ToString(), missed);
            }
            if (!await table.UpdateNextDueAsync(entry, ReminderSchedule.NextAfter(entry, Now), CancellationToken.None).ConfigureAwait(false))
            {
                // Re-registered, removed, or advanced by another silo meanwhile: the table's row wins.
                LogRowChanged(logger, entry.Name, entry.GrainId.ToString());
            }
        }
        catch (Exception e)
        {
            LogTickFailed(logger, e, entry.Name, entry.GrainId.ToString());
        }
        finally
        {
            inFlight.TryRemove((entry.GrainId, entry.Name), out _);
            slots!.Release();
        }
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

    // The token source is not disposed: DI may dispose this twice (as itself and as a lifecycle participant).
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for due reminders failed")]
    private static partial void LogPollFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Name} of {GrainId} failed")]
    private static partial void LogTickFailed(ILogger logger, Exception error, string name, string grainId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Name} of {GrainId} skipped {Missed} missed ticks (policy Skip)")]
    private static partial void LogSkipped(ILogger logger, string name, string grainId, int missed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reminder {Name} of {GrainId} changed while its tick was delivered; keeping the stored schedule")]
    private static partial void LogRowChanged(ILogger logger, string name, string grainId);
}
