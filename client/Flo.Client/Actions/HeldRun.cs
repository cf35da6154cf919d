using System.Diagnostics;

namespace Flo.Actions;

/// <summary>A run a worker is executing: its lease, partition, and the token its handler sees.</summary>
internal sealed class HeldRun(RunLease lease, int partition, CancellationToken workerStopping) : IDisposable
{
    private int lost;
    private int released;

    public RunLease Lease { get; } = lease;

    public int Partition { get; } = partition;

    /// <summary>When the handler starts (<see cref="Stopwatch"/> ticks), counted from when the worker took the lease: see <see cref="StartAt"/>.</summary>
    public long DueAt { get; } = StartAt(lease, Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow);

    /// <summary>Cancelled by the attempt's timeout, by <see cref="Lose"/>/<see cref="Release"/>, or when the worker stops hard.</summary>
    public CancellationTokenSource Cancellation { get; } = CancellationTokenSource.CreateLinkedTokenSource(workerStopping);

    /// <summary>The partition said the run is no longer this worker's (cancelled, timed out, taken back).</summary>
    public bool IsLost => Volatile.Read(ref lost) == 1;

    /// <summary>The worker handed the run back while stopping.</summary>
    public bool IsReleased => Volatile.Read(ref released) == 1;

    public void Lose()
    {
        if (Interlocked.Exchange(ref lost, 1) == 0)
        {
            TryCancel();
        }
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
        {
            TryCancel();
        }
    }

    /// <summary>Most a worker's own clock may move a run's start earlier than the lease's relative delay says.</summary>
    internal static readonly TimeSpan MaxClockCorrection = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// When a run leased ahead starts, as a <see cref="Stopwatch"/> timestamp: when this worker's clock reaches the
    /// lease's <see cref="RunLease.NotBeforeMs"/>, but no later than <see cref="RunLease.StartInMs"/> after the lease was
    /// received and no more than <see cref="MaxClockCorrection"/> before that.
    /// </summary>
    /// <remarks>
    /// The relative delay alone starts the handler late by the lease's way from its partition (the answer's transit and
    /// the worker's turn to read it: milliseconds under load); the silo's clock alone would start it early on a worker
    /// whose clock runs ahead. On one machine, or clocks kept within the correction by NTP, the run starts at its due
    /// time; a worker whose clock is far off starts it within the correction of the relative delay.
    /// </remarks>
    internal static long StartAt(RunLease lease, long receivedAt, DateTimeOffset receivedAtClock)
    {
        if (lease.StartInMs <= 0)
        {
            return receivedAt;
        }
        var relative = receivedAt + (long)(lease.StartInMs * (Stopwatch.Frequency / 1000.0));
        // A fifth of a millisecond late by the clock, so a handler reading the wall clock never finds itself before its
        // due time when the monotonic clock it waited on and the wall clock drift apart by a few parts per million.
        var untilByClockMs = lease.NotBeforeMs + 0.2 - (receivedAtClock - DateTimeOffset.UnixEpoch).TotalMilliseconds;
        var byClock = receivedAt + (long)(untilByClockMs * (Stopwatch.Frequency / 1000.0));
        var earliest = relative - (long)(MaxClockCorrection.TotalSeconds * Stopwatch.Frequency);
        return Math.Clamp(byClock, earliest, relative);
    }

    public void Dispose() => Cancellation.Dispose();

    private void TryCancel()
    {
        try
        {
            Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
