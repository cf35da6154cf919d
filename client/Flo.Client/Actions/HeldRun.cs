namespace Flo.Actions;

/// <summary>A run a worker is executing: its lease, partition, and the token its handler sees.</summary>
internal sealed class HeldRun(RunLease lease, int partition, CancellationToken workerStopping) : IDisposable
{
    private int lost;
    private int released;

    public RunLease Lease { get; } = lease;

    public int Partition { get; } = partition;

    /// <summary>When the worker took the lease (<see cref="System.Diagnostics.Stopwatch"/> ticks): a lease's start delay counts from here.</summary>
    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

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
