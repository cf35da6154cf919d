using System.Diagnostics;
using Npgsql;
using Quartz;

namespace Flo.Bench.Schedules;

/// <summary>
/// The schedules comparison's peer: Quartz.NET 4.7 with its ADO.NET job store on the bench's PostgreSQL server, in
/// clustered mode (<c>quartz.jobStore.clustered = true</c>: database row locks, check-ins), a one-node cluster in this
/// process. Per round: a fresh database with Quartz's tables (<c>bench/quartz/tables_postgres.sql</c>), a running
/// scheduler, and N simple triggers of a no-op job repeating every interval, stored in chunks each due from one interval
/// after it was stored (as Flo's schedules are from when each is enabled), their first fires spread evenly over one
/// interval; the scheduler runs them until the drain ends.
/// </summary>
/// <remarks>
/// Tuning, since the defaults (10 threads, triggers acquired one at a time, one transaction each) are sized for far fewer
/// fires: a thread pool of <c>threads</c> and batches of up to <c>batch</c> triggers per acquisition (<c>MaxBatchSize</c>,
/// i.e. <c>quartz.scheduler.batchTriggerAcquisitionMaxCount</c>). The fire-ahead window stays 0 (no early fires): when
/// behind, a batch takes every trigger already due, so batching still grows with the backlog. Misfire handling is the
/// default (threshold 60 s; a repeat-forever simple trigger then skips to its next time); the measured rounds stayed
/// below it.
/// </remarks>
public static class QuartzPeer
{
    /// <summary>Triggers stored per transaction (with a job of their own).</summary>
    private const int ChunkSize = 500;

    /// <summary>The job store's table script, copied next to the bench's binaries.</summary>
    private static readonly string SchemaPath = Path.Combine(AppContext.BaseDirectory, "quartz", "tables_postgres.sql");

    /// <summary>Name in the results.</summary>
    public static string Name { get; } = $"peer: quartz {typeof(IScheduler).Assembly.GetName().Version!.ToString(3)} (postgres, clustered)";

    /// <summary>One round: a fresh database and scheduler, <paramref name="n"/> triggers, warm-up, window, drain.</summary>
    public static async Task<ScheduleLoadResult> RunAsync(string postgres, int n, TimeSpan interval, TimeSpan duration, TimeSpan warmup,
        int threads, int batch, CpuMeter cpu, CancellationToken cancellationToken)
    {
        await using var database = await BenchDatabase.CreateAsync(postgres);
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var schema = new NpgsqlCommand(await File.ReadAllTextAsync(SchemaPath, cancellationToken), connection);
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }

        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "flo-bench";
                o.GenerateInstanceId = true;
                o.MaxBatchSize = batch;
            });
            q.UseDefaultThreadPool(threads);
            q.UsePersistentStore(store =>
            {
                // Npgsql as the ADO.NET provider and Quartz's PostgreSQL delegate.
                store.UsePostgres(database.ConnectionString);
                store.UseClustering();
                store.UseSystemTextJsonSerializer();
            });
        }).BuildScheduler(cancellationToken);
        var log = new FireLog();
        scheduler.Context.Add(QuartzNoOpJob.LogKey, log);
        try
        {
            var intervalMs = (long)interval.TotalMilliseconds;
            var firstDue = new long[n];
            var storing = Stopwatch.StartNew();
            await scheduler.Start(cancellationToken);
            // Stored in chunks, each anchored when it is stored, as Flo's schedules are anchored when each is enabled:
            // anchored before storing 10,000 (40 s here), the first fires would already be a backlog when they are stored.
            // Within an interval the first fires are spread evenly.
            for (var chunk = 0; chunk * ChunkSize < n; chunk++)
            {
                var job = JobBuilder.Create<QuartzNoOpJob>().WithIdentity($"noop-{chunk}", "bench").StoreDurably().Build();
                var anchorMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + intervalMs;
                var triggers = new List<ITrigger>();
                for (var i = chunk * ChunkSize; i < Math.Min(n, (chunk + 1) * ChunkSize); i++)
                {
                    firstDue[i] = anchorMs + i * intervalMs / n;
                    triggers.Add(TriggerBuilder.Create()
                        .WithIdentity($"t{i}", "bench")
                        .ForJob(job)
                        .StartAt(DateTimeOffset.FromUnixTimeMilliseconds(firstDue[i]))
                        .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever())
                        .Build());
                }
                await scheduler.ScheduleJob(job, triggers, default, cancellationToken);
            }
            var storeSeconds = storing.Elapsed.TotalSeconds;

            await SchedulesBench.UntilAsync(firstDue.Max(), cancellationToken);
            var (windowStart, before, after, counters) = await SchedulesBench.MeasureWindowAsync(cpu, database.ConnectionString, warmup, duration, cancellationToken);
            var windowEnd = windowStart + (long)duration.TotalMilliseconds;
            await log.DrainAsync(windowEnd, interval, SchedulesBench.DrainQuiet, SchedulesBench.DrainCap, cancellationToken);
            var result = ScheduleLoadResult.From(Name, firstDue, intervalMs, windowStart, duration.TotalSeconds, [.. log.Fires], before, after, counters);
            Console.WriteLine($"  ({Name}: {n:N0} triggers stored in {storeSeconds:N1} s; {threads} threads, batches of up to {batch})");
            return result;
        }
        finally
        {
            // Stop firing, let running jobs end; the database goes with the round.
            await scheduler.Shutdown(waitForJobsToComplete: true, CancellationToken.None);
        }
    }
}
