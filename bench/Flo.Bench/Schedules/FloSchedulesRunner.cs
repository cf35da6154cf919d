using System.Diagnostics;
using Flo.Actions;
using Flo.Schedules;
using Flo.Storage;
using Flo.Testing;

namespace Flo.Bench.Schedules;

/// <summary>
/// Flo's side of the schedules comparison: one silo in this process on a fresh PostgreSQL database (durable, as the
/// jobs bench runs it), N interval schedules of one no-op action created with <c>client.Schedule.IntervalAsync</c>,
/// and an <see cref="ActionWorker"/> in this process whose handler logs the due time each run serves (its
/// <see cref="ActionContext.IdempotencyKey"/>, <c>schedule:{id}:{due}</c>).
/// </summary>
/// <remarks>
/// The schedules are created once and disabled; each round enables them all (which anchors each one's due times at
/// that moment), measures, and disables them again. Creating is not repeated per round: every create also adds the id
/// to the namespace's schedule catalog, one grain whose whole id set is rewritten per add, which at 10,000 schedules
/// is minutes of setup, not what this bench measures (it is reported as the creation rate).
/// </remarks>
public sealed class FloSchedulesRunner : IAsyncDisposable
{
    /// <summary>
    /// Creates the bench has in flight: they all queue on the one catalog grain, so more would only wait there (and run
    /// into the client's response timeout).
    /// </summary>
    private const int CreateParallelism = 16;

    /// <summary>
    /// Enables and disables in flight: many, so their writes share the storage's group commits with the firing
    /// schedules' instead of each waiting its turn behind them.
    /// </summary>
    private const int SwitchParallelism = 256;

    private readonly BenchDatabase database;
    private readonly PlatformTestCluster cluster;
    private readonly FloClient client;
    private readonly ActionWorker[] workers;
    private readonly TimeSpan interval;
    private readonly CpuMeter cpu;
    private readonly string[] ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> index;
    private FireLog? log;
    private FloStageSampler? sampler;

    private FloSchedulesRunner(BenchDatabase database, PlatformTestCluster cluster, FloClient client, ActionWorker[] workers, TimeSpan interval,
        CpuMeter cpu, string[] ids)
    {
        (this.database, this.cluster, this.client, this.workers, this.interval, this.cpu, this.ids) = (database, cluster, client, workers, interval, cpu, ids);
        index = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Name in the results.</summary>
    public static string Name => "flo schedules (postgres)";

    /// <summary>
    /// A silo on a fresh database, the action (<paramref name="partitions"/> dispatch partitions, short retention so the
    /// purge of finished runs is part of the steady state measured), <paramref name="workerCount"/> workers of
    /// <paramref name="concurrency"/> each, and <paramref name="n"/> schedules, created and then disabled.
    /// </summary>
    /// <remarks>
    /// Several workers, because one worker has one lease call out at a time (per lane): a lease returns once every run it
    /// took has stored its start, so runs that become ready meanwhile wait for the next call. Workers in more processes
    /// would do the same; here they share this one.
    /// </remarks>
    public static async Task<FloSchedulesRunner> CreateAsync(string postgres, int n, TimeSpan interval, int partitions, int workerCount, int concurrency,
        MissedRuns missedRuns, CancellationToken cancellationToken)
    {
        var database = await BenchDatabase.CreateAsync(postgres);
        var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Storage = FloStorageProvider.Postgres, ConnectionString = database.ConnectionString });
        var client = await cluster.ConnectAsync();
        var action = $"scheduled-{Guid.NewGuid():N}";
        // Retention: a run's entry and its dedup key (which makes a re-asked due time return the first run) are kept
        // this long after it finished, then purged. At thousands of runs per second the partition's memory needs it
        // short; 5 s is far above the time a schedule holds a due time pending (one invoke).
        await client.Action.RegisterAsync(action, new ActionRegisterOptions(RetentionMs: 5_000, Partitions: partitions), cancellationToken);
        var cpu = await CpuMeter.CreateAsync(postgres, cancellationToken);
        FloSchedulesRunner? runner = null;
        var workers = Enumerable.Range(0, workerCount).Select(_ => client.NewActionWorker(new ActionWorkerOptions(Concurrency: concurrency))).ToArray();
        foreach (var worker in workers)
        {
            worker.Action(action, ctx =>
            {
                runner?.Record(ctx.IdempotencyKey, ctx.RunId);
                return Task.FromResult(Array.Empty<byte>());
            });
            await worker.StartAsync(cancellationToken);
        }

        var created = Stopwatch.StartNew();
        var ids = new string[n];
        await Parallel.ForEachAsync(Enumerable.Range(0, n), InFlight(CreateParallelism, cancellationToken), async (i, ct) =>
        {
            // Args make each schedule distinct (a schedule's id is a hash of action, timing and args).
            var info = await RetryAsync(() => client.Schedule.IntervalAsync(action, interval, new ScheduleOptions(Args: BitConverter.GetBytes(i), MissedRuns: missedRuns), ct));
            ids[i] = info.Id;
            // Disabled at once, so the schedules created first do not fire (and slow down creating the rest) meanwhile.
            await RetryAsync(() => client.Schedule.DisableAsync(info.Id, cancellationToken: ct));
        });
        var createSeconds = created.Elapsed.TotalSeconds;
        Console.WriteLine($"{Name}: created (and disabled) {n:N0} schedules ({missedRuns}) in {createSeconds:N1} s ({n / createSeconds:N0}/s)");
        runner = new FloSchedulesRunner(database, cluster, client, workers, interval, cpu, ids);
        return runner;
    }

    /// <summary>One round: enable every schedule, measure after the warm-up, drain, disable them all.</summary>
    public async Task<ScheduleLoadResult> RunAsync(TimeSpan duration, TimeSpan warmup, CancellationToken cancellationToken)
    {
        var round = new FireLog();
        var stages = new FloStageSampler(client);
        Volatile.Write(ref sampler, stages);
        Volatile.Write(ref log, round);
        var firstDue = new long[ids.Length];
        long missedBefore = 0;
        var enabling = Stopwatch.StartNew();
        using (var inFlight = new SemaphoreSlim(SwitchParallelism))
        {
            var enables = new List<Task>(ids.Length);
            for (var i = 0; i < ids.Length; i++)
            {
                // Paced over one interval: enabling anchors a schedule at that moment (its due times are NextRunAtMs +
                // k * interval), so this spreads the due times over the interval as Quartz's triggers are. All enabled at
                // once, every due time would fall in the same fraction of a second: bursts the peer does not get.
                var ahead = TimeSpan.FromTicks(interval.Ticks * i / ids.Length) - enabling.Elapsed;
                if (ahead > TimeSpan.FromMilliseconds(2))
                {
                    await Task.Delay(ahead, cancellationToken);
                }
                await inFlight.WaitAsync(cancellationToken);
                var schedule = i;
                enables.Add(Task.Run(async () =>
                {
                    try
                    {
                        var info = await RetryAsync(() => client.Schedule.EnableAsync(ids[schedule], cancellationToken: cancellationToken));
                        firstDue[schedule] = info.NextRunAtMs;
                        Interlocked.Add(ref missedBefore, info.Missed);
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                }, cancellationToken));
            }
            await Task.WhenAll(enables);
        }
        var enableSeconds = enabling.Elapsed.TotalSeconds;
        await SchedulesBench.UntilAsync(firstDue.Max(), cancellationToken);
        var (windowStart, before, after, counters) = await SchedulesBench.MeasureWindowAsync(cpu, database.ConnectionString, warmup, duration, cancellationToken);
        var windowEnd = windowStart + (long)duration.TotalMilliseconds;
        await round.DrainAsync(windowEnd, interval, SchedulesBench.DrainQuiet, SchedulesBench.DrainCap, cancellationToken);
        var result = ScheduleLoadResult.From(Name, firstDue, (long)interval.TotalMilliseconds, windowStart, duration.TotalSeconds, [.. round.Fires], before, after, counters);
        // Out before disabling: a silo far past what it can fire takes minutes to disable 10,000 schedules.
        Console.WriteLine($"  ({Name}: enabled in {enableSeconds:N1} s; lateness by stage, {await stages.SummaryAsync()})");
        Console.WriteLine(result);
        var disabling = Stopwatch.StartNew();
        long missedAfter = 0, stuck = 0;
        await Parallel.ForEachAsync(ids, InFlight(SwitchParallelism, cancellationToken), async (id, ct) =>
        {
            try
            {
                var info = await RetryAsync(() => client.Schedule.DisableAsync(id, cancellationToken: ct));
                Interlocked.Add(ref missedAfter, info.Missed);
            }
            catch (CallOutcomeUnknownException)
            {
                // Still answering nothing after the retries' 3 minutes: counted, the round's figures are already out.
                Interlocked.Increment(ref stuck);
            }
        });
        if (stuck > 0)
        {
            Console.WriteLine($"  ({Name}: {stuck} schedules did not answer a disable within 3 minutes)");
        }
        Volatile.Write(ref log, null);
        Volatile.Write(ref sampler, null);
        Console.WriteLine($"  ({Name}: disabled in {disabling.Elapsed.TotalSeconds:N1} s; the schedules counted {missedAfter - missedBefore} due times as missed this round)");
        return result;
    }

    /// <summary>Logs a run from its key, <c>schedule:{id}:{due}</c>, outside a round (setup, between rounds) not at all.</summary>
    private void Record(string? key, string runId)
    {
        var started = FireLog.NowMs;
        if (Volatile.Read(ref log) is not { } round || key is null)
        {
            return;
        }
        var span = key.AsSpan("schedule:".Length);
        var colon = span.LastIndexOf(':');
        if (index.TryGetValue(span[..colon], out var schedule))
        {
            var due = long.Parse(span[(colon + 1)..]);
            round.Add(schedule, due, started);
            Volatile.Read(ref sampler)?.Offer(runId, due, started);
        }
    }

    /// <summary>
    /// Creating, enabling and disabling a schedule are idempotent (the same definition is the same schedule), so a call
    /// whose answer was late is simply asked again. Late answers are expected when the silo cannot keep up: a schedule
    /// busy firing (its invoke waiting on an overloaded partition) answers after the client's 3 s response timeout.
    /// </summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (CallOutcomeUnknownException) when (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(3))
            {
            }
        }
    }

    private static ParallelOptions InFlight(int degree, CancellationToken cancellationToken)
        => new() { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken };

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in workers)
        {
            await worker.DisposeAsync();
        }
        await client.DisposeAsync();
        await cluster.DisposeAsync();
        await database.DisposeAsync();
    }
}
