using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Flo.Actions;

/// <summary>
/// A subscription to a namespace's run events: an observer subscribed to the namespace's <see cref="IActionEventsGrain"/>,
/// renewed well within the subscription's lifetime (which also finds a hub that moved to another silo), its pushes
/// read with <see cref="ReadAllAsync"/>. Made by <see cref="ActionApi.SubscribeAsync"/>: once that returned, no event
/// published later is missed (so a caller can say "watching" before it acts). Dispose it to unsubscribe.
/// </summary>
public sealed class ActionEventWatch : IAsyncDisposable
{
    private readonly IGrainFactory grains;
    private readonly IActionEventsGrain hub;
    private readonly Channel<ActionEvent> channel = Channel.CreateUnbounded<ActionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly EventObserver observer;
    private readonly IActionEventObserver reference;
    private readonly CancellationTokenSource renewing = new();
    private Task renewals = Task.CompletedTask;

    private ActionEventWatch(IGrainFactory grains, string ns, string? action, string? runId)
    {
        this.grains = grains;
        hub = grains.GetGrain<IActionEventsGrain>(ns);
        observer = new EventObserver(channel.Writer, action, runId);
        reference = grains.CreateObjectReference<IActionEventObserver>(observer);
    }

    /// <summary>Subscribes; returns once the hub knows the observer.</summary>
    internal static async Task<ActionEventWatch> StartAsync(IGrainFactory grains, string ns, string? action, string? runId, CancellationToken cancellationToken)
    {
        ActionLimits.ValidateNamespace(ns);
        var watch = new ActionEventWatch(grains, ns, action, runId);
        try
        {
            await watch.hub.Subscribe(watch.reference).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await watch.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        watch.renewals = watch.RenewAsync(watch.renewing.Token);
        return watch;
    }

    /// <summary>The events as they arrive, until cancelled or disposed.</summary>
    public async IAsyncEnumerable<ActionEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>Unsubscribes (the subscription would lapse on its own within its lifetime).</summary>
    public async ValueTask DisposeAsync()
    {
        if (renewing.IsCancellationRequested)
        {
            return;
        }
        await renewing.CancelAsync().ConfigureAwait(false);
        await renewals.ConfigureAwait(false);
        channel.Writer.TryComplete();
        try
        {
            await hub.Unsubscribe(reference).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The subscription lapses on its own.
        }
        grains.DeleteObjectReference<IActionEventObserver>(reference);
        // Orleans holds observers weakly: this keeps the observer reachable for as long as the watch lives.
        GC.KeepAlive(observer);
        renewing.Dispose();
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(IActionEventsGrain.SubscriptionLifetimeMs / 6));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await hub.Subscribe(reference).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class EventObserver(ChannelWriter<ActionEvent> writer, string? action, string? runId) : IActionEventObserver
    {
        public Task OnEvents(ActionEvent[] events)
        {
            foreach (var e in events)
            {
                if ((action is null || e.Action == action) && (runId is null || e.RunId == runId))
                {
                    writer.TryWrite(e);
                }
            }
            return Task.CompletedTask;
        }
    }
}
