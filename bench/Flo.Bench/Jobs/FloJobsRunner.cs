using System.Diagnostics;
using Flo.Actions;
using Flo.Storage;
using Flo.Testing;

namespace Flo.Bench.Jobs;

/// <summary>
/// Flo's runner in the jobs comparison: actions on one silo whose state is in PostgreSQL (durable, like Hangfire's),
/// invoked through <see cref="FloClient"/> and executed by an <see cref="ActionWorker"/> in this process with
/// concurrency c; the caller waits for the result with <c>WaitAsync</c> (pushed by the run grain). The handler returns
/// its start timestamp as the result.
/// </summary>
public sealed class FloJobsRunner : IAsyncDisposable
{
    private readonly BenchDatabase? database;
    private readonly PlatformTestCluster cluster;
    private readonly FloClient client;
    private readonly string name;

    private FloJobsRunner(BenchDatabase? database, PlatformTestCluster cluster, FloClient client, string name)
        => (this.database, this.cluster, this.client, this.name) = (database, cluster, client, name);

    /// <summary>A silo on <paramref name="storage"/> (PostgreSQL: a fresh database on <paramref name="postgres"/>).</summary>
    public static async Task<FloJobsRunner> CreateAsync(string? postgres, FloStorageProvider storage = FloStorageProvider.Postgres)
    {
        var database = storage == FloStorageProvider.Postgres
            ? await BenchDatabase.CreateAsync(postgres ?? throw new ArgumentException("--postgres is required for Flo on PostgreSQL"))
            : null;
        var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Storage = storage, ConnectionString = database?.ConnectionString });
        var client = await cluster.ConnectAsync();
        return new FloJobsRunner(database, cluster, client, $"flo actions ({storage.ToString().ToLowerInvariant()})");
    }

    /// <summary>One closed-loop run at concurrency <paramref name="c"/> on a fresh action.</summary>
    public async Task<JobLoadResult> RunAsync(int c, TimeSpan duration)
    {
        var action = $"bench-{c}-{Guid.NewGuid():N}";
        await client.Action.RegisterAsync(action, new ActionRegisterOptions(RetentionMs: 60_000));
        await using var worker = client.NewActionWorker(new ActionWorkerOptions(Concurrency: Math.Max(c, 2)));
        worker.Action(action, _ => Task.FromResult(BitConverter.GetBytes(Stopwatch.GetTimestamp())));
        await worker.StartAsync();
        return await JobLoadRunner.RunAsync(name, c, duration, async _ =>
        {
            var runId = await client.Action.InvokeAsync(action, []);
            var run = await client.Action.WaitAsync(runId);
            return BitConverter.ToInt64(run.Result!);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await client.DisposeAsync();
        await cluster.DisposeAsync();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
