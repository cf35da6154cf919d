using Flo.Messaging;
using Flo.Runtime.Catalog;

namespace Flo.Runtime.Timers;

/// <summary>
/// An in-memory timer of one activation. Each tick is queued as a work item, so it respects turn-based execution
/// (unless created with Interleave). The next tick is armed only after the callback completes: ticks never overlap.
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly ActivationData activation;
    private readonly Func<CancellationToken, Task> callback;
    private readonly ITimer timer;
    private readonly CancellationTokenSource disposed = new();
    private TimeSpan period;

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, GrainTimerCreationOptions options, TimeProvider timeProvider)
    {
        this.activation = activation;
        this.callback = callback;
        Options = options;
        period = options.Period;
        DueTime = options.DueTime;
        timer = timeProvider.CreateTimer(static s => ((GrainTimer)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public GrainTimerCreationOptions Options { get; }

    private TimeSpan DueTime { get; set; }

    public void Start() => timer.Change(DueTime, Timeout.InfiniteTimeSpan);

    public void Change(TimeSpan dueTime, TimeSpan newPeriod)
    {
        period = newPeriod;
        if (!disposed.IsCancellationRequested)
        {
            timer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        if (disposed.IsCancellationRequested)
        {
            return;
        }
        if (!activation.TryEnqueue(new TickWorkItem(this)))
        {
            Dispose();
        }
    }

    private async Task TickAsync()
    {
        try
        {
            await callback(disposed.Token);
        }
        catch
        {
            // A failing tick must not kill the timer; the grain owns its own error handling.
        }
        finally
        {
            if (!disposed.IsCancellationRequested && period != Timeout.InfiniteTimeSpan)
            {
                timer.Change(period, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        if (disposed.IsCancellationRequested)
        {
            return;
        }
        disposed.Cancel();
        timer.Dispose();
        activation.RemoveTimer(this);
    }

    private sealed class TickWorkItem(GrainTimer owner) : ActivationWorkItem
    {
        public override bool AlwaysInterleave => owner.Options.Interleave;

        public override bool IsReadOnly => false;

        public override bool KeepsAlive => owner.Options.KeepAlive;

        public override string Description => "timer tick";

        public override async Task RunAsync(ActivationData activation)
        {
            try
            {
                await owner.TickAsync();
            }
            finally
            {
                activation.OnWorkItemCompleted(this);
            }
        }

        public override void Reject(ResponseStatus status, Exception error)
        {
        }
    }
}
