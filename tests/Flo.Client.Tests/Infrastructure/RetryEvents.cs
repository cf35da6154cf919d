using System.Diagnostics.Metrics;

namespace Flo.Client.Tests.Infrastructure;

/// <summary>
/// Listens to the client's <c>flo.client.call.retries</c> counter so a test can wait until a call was resent (an
/// event, not a sleep). Counts only resends of <paramref name="method"/>.
/// </summary>
public sealed class RetryEvents : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly object gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> waiters = [];
    private int count;

    public RetryEvents(string method)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Flo.Client" && instrument.Name == "flo.client.call.retries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "method" && Equals(tag.Value, method))
                {
                    lock (gate)
                    {
                        count += (int)value;
                        foreach (var waiter in waiters.Where(w => count >= w.Count))
                        {
                            waiter.Done.TrySetResult();
                        }
                    }
                }
            }
        });
        listener.Start();
    }

    /// <summary>Resends seen so far.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return count;
            }
        }
    }

    /// <summary>Completes once <paramref name="n"/> resends were seen.</summary>
    public Task AtLeast(int n)
    {
        lock (gate)
        {
            if (count >= n)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((n, done));
            return done.Task;
        }
    }

    public void Dispose() => listener.Dispose();
}
