using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Server;
using Hangfire.States;

namespace Flo.Bench.Jobs;

/// <summary>
/// The jobs benchmark's durable peer: Hangfire with Hangfire.PostgreSql on the bench's PostgreSQL server. Per run, a
/// fresh database, a <see cref="BackgroundJobServer"/> in this process, and callers enqueueing through
/// <see cref="BackgroundJobClient"/>; every job goes through Hangfire's storage (created, enqueued, fetched, Processing,
/// Succeeded with its result), the caller is told the result by <see cref="ResultSignallingStateChanger"/>.
/// </summary>
public static class HangfirePeer
{
    private static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<bool> Configured = new(() =>
    {
        // The settings Hangfire recommends for new installations: the compact 1.8 job payload and type names without
        // assembly versions. They only shrink what each job writes.
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings();
        return true;
    });

    public static string Name { get; } = $"peer: hangfire {typeof(BackgroundJob).Assembly.GetName().Version!.ToString(3)} (postgres)";

    public static async Task<JobLoadResult> RunAsync(string postgres, int concurrency, TimeSpan duration)
    {
        _ = Configured.Value;
        await using var database = await BenchDatabase.CreateAsync(postgres);
        var storageOptions = new PostgreSqlStorageOptions
        {
            // A worker that finds the queue empty waits for a signal, re-polling after this interval at the latest. The
            // signal is in-process: Hangfire.PostgreSql wakes a waiting worker of this process as soon as an enqueue
            // commits, so the interval only bounds the cost of a missed wake-up. 50 ms is the library's floor without
            // AllowUnsafeValues (default 15 s); 5 ms (unsafe) and 1 s measured the same here within noise at c=1, 10 and
            // 50, and 1 ms was slower at c=50 (idle workers polling).
            QueuePollInterval = TimeSpan.FromMilliseconds(50),
            // LISTEN/NOTIFY long polling (1.21 has it) is off: it wakes workers of other processes, which this run has
            // none of, and costs a dedicated LISTEN connection per dequeue and a NOTIFY per enqueue; with it c=50 ran
            // 15-30 % slower here and c=1 no faster.
            EnableLongPolling = false,
        };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, storageOptions), storageOptions);
        var results = new HangfireResults();
        var filters = JobFilterProviders.Providers;
        var serverOptions = new BackgroundJobServerOptions
        {
            ServerName = $"flo-bench-{Guid.NewGuid():N}",
            // One worker per caller: the closed loop never has more than c jobs outstanding, so with c workers no job
            // waits for a free worker, and more would only add idle pollers. Fewer measured slower at c=50 (Hangfire's
            // default here, min(5 x cores, 20) = 10: about 15 % fewer jobs/s, and a higher start p50).
            WorkerCount = concurrency,
        };
#pragma warning disable CS0618 // The only way to give the server's workers our state changer (Hangfire 1.8 marks it "create your own server").
        var server = new BackgroundJobServer(serverOptions, storage, [], filters, JobActivator.Current,
            new BackgroundJobFactory(filters), new BackgroundJobPerformer(filters, JobActivator.Current),
            new ResultSignallingStateChanger(new BackgroundJobStateChanger(filters), results));
#pragma warning restore CS0618
        var client = new BackgroundJobClient(storage);

        // Hangfire's client is synchronous (Enqueue blocks on its database round trips), so each of the c callers holds
        // a pool thread while it enqueues: without enough threads up front the pool would add them slowly and the run
        // would measure thread starvation instead of Hangfire.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, concurrency + 2 * Environment.ProcessorCount), minIo);
        try
        {
            return await JobLoadRunner.RunAsync(Name, concurrency, duration, async _ =>
            {
                var jobId = client.Enqueue(() => HangfireNoOpJob.Run());
                return await results.WaitAsync(jobId, ResultTimeout);
            });
        }
        finally
        {
            server.SendStop();
            await server.WaitForShutdownAsync(CancellationToken.None);
            server.Dispose();
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }
    }
}
