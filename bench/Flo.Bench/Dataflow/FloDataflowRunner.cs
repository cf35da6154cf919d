using System.Diagnostics;
using Flo.Dataflow;
using Flo.Storage;
using Flo.Testing;

namespace Flo.Bench.Dataflow;

/// <summary>
/// Flo's side: one silo in this process on <paramref name="storage"/> (memory, or PostgreSQL: durable), the graphs' node
/// types on a <see cref="FlowWorker"/> of this process (through the client's gateway, as any worker), or run by the
/// silo itself (<see cref="BenchSiloNodes"/>, no action runs), a run per measurement in a namespace of its own. Timed
/// from the start of the run to its end (the worker is started before).
/// </summary>
public sealed class FloDataflowRunner : IAsyncDisposable
{
    private readonly BenchDatabase? database;
    private readonly PlatformTestCluster cluster;
    private readonly FloClient client;

    private FloDataflowRunner(BenchDatabase? database, PlatformTestCluster cluster, FloClient client, FloStorageProvider storage)
        => (this.database, this.cluster, this.client, Storage) = (database, cluster, client, storage);

    /// <summary>The silo's storage.</summary>
    public FloStorageProvider Storage { get; }

    /// <summary>A silo on <paramref name="storage"/> (PostgreSQL: a fresh database on <paramref name="postgres"/>).</summary>
    public static async Task<FloDataflowRunner> CreateAsync(FloStorageProvider storage, string? postgres)
    {
        var database = storage == FloStorageProvider.Postgres
            ? await BenchDatabase.CreateAsync(postgres ?? throw new ArgumentException("--postgres is required for the durable runs"))
            : null;
        var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions
        {
            Storage = storage,
            ConnectionString = database?.ConnectionString,
            // The silo also runs the Silo* node types of this assembly (the silo-hosted variant of each graph).
            Configuration = new Dictionary<string, string?> { ["Cluster:Dataflow:NodeAssemblies:0"] = typeof(BenchSiloNodes).Assembly.Location },
        });
        return new FloDataflowRunner(database, cluster, await cluster.ConnectAsync(), storage);
    }

    /// <summary>The 10-node pipeline for <paramref name="generations"/> generations, its node code on a worker or in the silo.</summary>
    public Task<DataflowResult> PipelineAsync(int generations, bool inSilo = false)
        => inSilo
            ? RunInSiloAsync("pipeline", BenchGraphs.PipelineNodes, generations, BenchSiloNodes.Pipeline, BenchGraphs.PipelineSink)
            : RunAsync("pipeline", BenchGraphs.PipelineNodes, generations, BenchGraphs.Pipeline, BenchGraphs.PipelineSink);

    /// <summary>The 2-node cycle for <paramref name="generations"/> generations, its node code on a worker or in the silo.</summary>
    public Task<DataflowResult> CycleAsync(int generations, bool inSilo = false)
        => inSilo
            ? RunInSiloAsync("cycle", 2, generations, BenchSiloNodes.Cycle, "b")
            : RunAsync("cycle", 2, generations, BenchGraphs.Cycle, "b");

    private async Task<DataflowResult> RunAsync(string graph, int nodes, int generations, Func<GenerationClock, FlowDefinition> build, string last)
    {
        var clock = new GenerationClock(generations);
        var flow = build(clock);
        var ns = "bench-" + Guid.NewGuid().ToString("N")[..10];
        await using var worker = client.Flow.NewWorker(new FlowWorkerOptions(Namespace: ns)).Host(flow);
        await worker.StartAsync();
        return await MeasureAsync($"flo {graph} ({Storage.ToString().ToLowerInvariant()})", nodes, generations, flow, last, ns, clock);
    }

    private Task<DataflowResult> RunInSiloAsync(string graph, int nodes, int generations, FlowDefinition flow, string last)
    {
        var clock = new GenerationClock(generations);
        BenchSiloNodes.Current = clock;
        var ns = "bench-" + Guid.NewGuid().ToString("N")[..10];
        return MeasureAsync($"flo {graph} ({Storage.ToString().ToLowerInvariant()}, nodes in the silo)", nodes, generations, flow, last, ns, clock);
    }

    private async Task<DataflowResult> MeasureAsync(string name, int nodes, int generations, FlowDefinition flow, string last, string ns, GenerationClock clock)
    {
        var started = Stopwatch.GetTimestamp();
        var options = new FlowRunOptions { Namespace = ns, HostNodes = false, StopAtNode = new Dictionary<string, FlowGeneration> { [last] = generations - 1 } };
        await using var run = await client.Flow.StartAsync(flow, options);
        var result = await run.WaitAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (result.Status != FlowRunStatus.LimitReached)
        {
            throw new InvalidOperationException($"The {name} run ended {result.Status}: {result.Reason}");
        }
        return clock.Result(name, nodes, elapsed);
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
