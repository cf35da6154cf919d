using System.Diagnostics;
using Flo.Actions;

namespace Flo.Client.Tests;

/// <summary>
/// How a worker starts a run leased ahead at its due time: the waker's own thread ends waits in due order and never
/// early, and the start moment follows the worker's clock only within the allowed correction of the lease's delay.
/// </summary>
[Trait("Category", "Client")]
public sealed class DueTimeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static long In(double ms) => Stopwatch.GetTimestamp() + (long)(ms * Stopwatch.Frequency / 1000);

    [Fact]
    public async Task WaitsEndInDueOrderNeverEarlyAndOnTheWakersThread()
    {
        using var waker = new DueTimeWaker(_ => { });
        var ended = new List<(int Order, bool Early, string? Thread)>();
        var alreadyDue = false;
        do
        {
            // A stalled test thread can find a wait due before it asked (it then completes at once, here): ask again.
            ended.Clear();
            alreadyDue = false;
            var dues = new[] { In(60), In(20), In(40) };
            await Task.WhenAll(dues.Select((due, i) => Continue(waker.WaitUntilAsync(due, CancellationToken.None), due, i)).ToArray()).WaitAsync(Patience);
        }
        while (alreadyDue);

        Assert.Equal([1, 2, 0], ended.Select(e => e.Order));
        Assert.All(ended, e => Assert.False(e.Early));
        Assert.All(ended, e => Assert.Equal("flo-worker-due", e.Thread));

        async Task Continue(Task wait, long due, int order)
        {
            alreadyDue |= wait.IsCompleted;
            await wait.ConfigureAwait(false);
            lock (ended)
            {
                ended.Add((order, Stopwatch.GetTimestamp() < due, Thread.CurrentThread.Name));
            }
        }
    }

    [Fact]
    public async Task AnEarlierWaitWakesTheThreadSleepingOnALaterOne()
    {
        using var waker = new DueTimeWaker(_ => { });
        var late = waker.WaitUntilAsync(In(60_000), CancellationToken.None);
        await Task.Delay(20);
        await waker.WaitUntilAsync(In(30), CancellationToken.None).WaitAsync(Patience);
        Assert.False(late.IsCompleted);
    }

    [Fact]
    public async Task ACancelledWaitEndsAtOnceAndDisposingCancelsTheRest()
    {
        var waker = new DueTimeWaker(_ => { });
        using var cancel = new CancellationTokenSource();
        var cancelled = waker.WaitUntilAsync(In(60_000), cancel.Token);
        var pending = waker.WaitUntilAsync(In(60_000), CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        Assert.False(pending.IsCompleted);
        waker.Dispose();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));
        Assert.Throws<ObjectDisposedException>(() => { _ = waker.WaitUntilAsync(In(10), CancellationToken.None); });
    }

    [Fact]
    public async Task AContinuationThatHoldsTheThreadIsReported()
    {
        var blocked = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var waker = new DueTimeWaker(held => blocked.TrySetResult(held));
        bool onWaker;
        do
        {
            // A stalled test thread can find the wait due before it asked (it then continues here): ask again.
            var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = waker.WaitUntilAsync(In(50), CancellationToken.None).ContinueWith(_ =>
            {
                var here = Thread.CurrentThread.Name == "flo-worker-due";
                if (here)
                {
                    Thread.Sleep(DueTimeWaker.BlockedAfter * 2);
                }
                ran.SetResult(here);
            }, TaskContinuationOptions.ExecuteSynchronously);
            onWaker = await ran.Task.WaitAsync(Patience);
        }
        while (!onWaker);
        var held = await blocked.Task.WaitAsync(Patience);
        Assert.True(held >= DueTimeWaker.BlockedAfter, $"reported {held}");
    }

    [Fact]
    public void StartFollowsTheWorkersClockWhenItAgreesWithTheLease()
    {
        var now = DateTimeOffset.UtcNow;
        var receivedAt = Stopwatch.GetTimestamp();
        // The lease left its partition 5 ms ago (its transit): due 100 ms after it left, so 95 ms from now by this clock.
        var lease = new RunLease { NotBeforeMs = now.ToUnixTimeMilliseconds() + 95, StartInMs = 100 };
        var startInMs = Milliseconds(HeldRun.StartAt(lease, receivedAt, now) - receivedAt);
        // Plus the fifth of a millisecond kept against clock drift.
        var fraction = now.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerMillisecond;
        Assert.Equal(95.2 - fraction, startInMs, tolerance: 0.01);
    }

    [Fact]
    public void StartNeverFollowsAClockBehindLaterThanTheLeaseSays()
    {
        var now = DateTimeOffset.UtcNow;
        var receivedAt = Stopwatch.GetTimestamp();
        // This worker's clock is a second behind the silo's: by it the run would be due in 1,100 ms.
        var lease = new RunLease { NotBeforeMs = now.ToUnixTimeMilliseconds() + 1_100, StartInMs = 100 };
        Assert.Equal(100, Milliseconds(HeldRun.StartAt(lease, receivedAt, now) - receivedAt), tolerance: 0.01);
    }

    [Fact]
    public void StartFollowsAClockAheadOnlyWithinTheCorrection()
    {
        var now = DateTimeOffset.UtcNow;
        var receivedAt = Stopwatch.GetTimestamp();
        // This worker's clock is a second ahead: by it the run is overdue.
        var lease = new RunLease { NotBeforeMs = now.ToUnixTimeMilliseconds() - 900, StartInMs = 100 };
        Assert.Equal(100 - HeldRun.MaxClockCorrection.TotalMilliseconds, Milliseconds(HeldRun.StartAt(lease, receivedAt, now) - receivedAt), tolerance: 0.01);
        Assert.Equal(receivedAt, HeldRun.StartAt(lease with { StartInMs = 0 }, receivedAt, now));
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
