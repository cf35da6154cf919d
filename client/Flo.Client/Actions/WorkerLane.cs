namespace Flo.Actions;

/// <summary>
/// One lane of a worker: the actions it runs with one concurrency limit (I/O, or CPU-bound on the thread pool), and
/// the loop that leases runs for free slots. With one source (an action with one partition) the loop long-polls it with
/// every free slot; with several it tries them in rotation without waiting and, when none has a run, waits (holding
/// no slot) until any has one.
/// </summary>
internal sealed class WorkerLane
{
    private readonly SemaphoreSlim slots;
    private readonly List<(string Action, int Partition, IActionDispatchGrain Grain)> sources = [];
    private int rotation;

    public WorkerLane(string name, int concurrency, TaskScheduler scheduler)
    {
        Name = name;
        Concurrency = concurrency;
        Scheduler = scheduler;
        slots = new SemaphoreSlim(concurrency, concurrency);
    }

    public string Name { get; }

    public int Concurrency { get; }

    /// <summary>Where handlers of this lane run.</summary>
    public TaskScheduler Scheduler { get; }

    public bool IsEmpty => sources.Count == 0;

    public void Add(string action, int partition, IActionDispatchGrain grain) => sources.Add((action, partition, grain));

    /// <summary>Frees a slot when a run of this lane ended.</summary>
    public void Release() => slots.Release();

    /// <summary>Leases runs for free slots until <paramref name="stopping"/> is cancelled; each lease goes to <paramref name="start"/>.</summary>
    public async Task RunAsync(string workerId, long leaseMs, int blockMs, Action<RunLease, int> start, Action<Exception> onError, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var held = 1;
            while (held < ActionLimits.MaxBatch && slots.Wait(0))
            {
                held++;
            }
            var started = 0;
            try
            {
                if (sources.Count == 1)
                {
                    var (_, partition, grain) = sources[0];
                    var leases = await grain.Lease(workerId, held, leaseMs, blockMs, stopping).ConfigureAwait(false);
                    foreach (var lease in leases)
                    {
                        start(lease, partition);
                        started++;
                    }
                }
                else
                {
                    var first = rotation++;
                    for (var i = 0; i < sources.Count && started < held; i++)
                    {
                        var (_, partition, grain) = sources[(first + i) % sources.Count];
                        foreach (var lease in await grain.Lease(workerId, held - started, leaseMs, 0, stopping).ConfigureAwait(false))
                        {
                            start(lease, partition);
                            started++;
                        }
                    }
                    if (started == 0)
                    {
                        slots.Release(held);
                        held = 0;
                        await Task.WhenAny(sources.Select(s => s.Grain.WaitForReady(blockMs, stopping))).WaitAsync(stopping).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                onError(e);
                try
                {
                    // Cluster unreachable or the action gone: do not spin.
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            finally
            {
                if (held - started > 0)
                {
                    slots.Release(held - started);
                }
            }
        }
    }
}
