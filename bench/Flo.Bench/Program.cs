using System.CommandLine;
using Flo.Bench;
using Flo.Bench.Dataflow;
using Flo.Bench.Jobs;
using Flo.Bench.Schedules;

using var gcTrace = GcPauseTrace.StartIfAsked();
// End-to-end benchmarks of the platform on Orleans, each beside a peer doing the same work on this machine.
// bench/run.sh starts the peers (Redis, etcd, Garnet, PostgreSQL) and runs everything; see bench/RESULTS.md.
var duration = new Option<int>("--seconds") { Description = "Measured seconds per run.", DefaultValueFactory = _ => 5 };
var rounds = new Option<int>("--rounds") { Description = "Alternating peer/Flo runs per workload; the median ratio is reported.", DefaultValueFactory = _ => 3 };
var redisPort = new Option<int?>("--redis-port") { Description = "Port of a Redis server (no persistence) for the peer runs." };
var redisFsyncPort = new Option<int?>("--redis-fsync-port") { Description = "Port of a Redis server with appendonly yes, appendfsync always (durable KV peer)." };
var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL server connection string (each run creates and drops a database of its own)." };
var activations = new Option<int>("--activations") { Description = "Activations for the memory run.", DefaultValueFactory = _ => 100_000 };
Option<int[]> Concurrency(params int[] defaults) => new("--concurrency") { Description = "Concurrent callers.", DefaultValueFactory = _ => defaults, AllowMultipleArgumentsPerToken = true };

var callsConcurrency = Concurrency(1, 100);
var calls = new Command("calls", "Grain calls per second and latency, in-silo and client->silo.") { duration, redisPort, callsConcurrency, rounds };
calls.SetAction(async r => await GrainCallBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(callsConcurrency)!, r.GetValue(rounds)));

var memory = new Command("memory", "Managed memory per idle activation.") { activations };
memory.SetAction(async r => await ActivationMemoryBench.RunAsync(r.GetValue(activations)));

var storageConcurrency = Concurrency(1, 64);
var storage = new Command("storage", "Grain state writes per second per provider (the platform's IGrainStorage directly).") { duration, postgres, storageConcurrency, rounds };
storage.SetAction(async r => await StorageBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(postgres), r.GetValue(storageConcurrency)!, r.GetValue(rounds)));

var stateConcurrency = Concurrency(1, 50);
var state = new Command("adonet", "[PersistentState] writes: the platform's provider vs Microsoft.Orleans.Persistence.AdoNet on PostgreSQL.") { duration, postgres, stateConcurrency, rounds };
state.SetAction(async r => await StateBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(postgres) ?? throw new ArgumentException("--postgres is required"), r.GetValue(stateConcurrency)!, r.GetValue(rounds)));

var failovers = new Option<int>("--failovers") { Description = "Kill/rejoin runs for failover and convergence times.", DefaultValueFactory = _ => 5 };
var clusterConcurrency = Concurrency(1, 100);
var cluster = new Command("cluster", "Silo->silo calls, client->3-silo throughput, failover and membership convergence times (in-process silos).") { duration, redisPort, postgres, clusterConcurrency, failovers, rounds };
cluster.SetAction(async r => await ClusterBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(postgres), r.GetValue(clusterConcurrency)!, r.GetValue(failovers), r.GetValue(rounds)));

var runs = new Option<int>("--runs") { Description = "Kills per client variant.", DefaultValueFactory = _ => 3 };
var portOffset = new Option<int>("--port-offset") { Description = "Added to the local cluster's ports (gateway 9000+i, silo 11111+i, HTTP 8080+i, RESP 6379+i).", DefaultValueFactory = _ => 10_000 };
var window = new Option<int>("--window") { Description = "Seconds observed after each kill.", DefaultValueFactory = _ => 15 };
var variants = new Option<string[]>("--variants") { Description = "Client variants: all-gateways, membership-table, only-gateway.", DefaultValueFactory = _ => ["all-gateways", "membership-table", "only-gateway"], AllowMultipleArgumentsPerToken = true };
var callTimeout = new Option<int>("--call-timeout") { Description = "Per-call deadline of the client's loop, ms (a cancellation token per call); 0: none (the client's own response timeout).", DefaultValueFactory = _ => 2000 };
var failover = new Command("failover", "Failover time on real silo processes (scripts/local-cluster.sh): kill -9 the silo hosting a KV key.") { postgres, runs, portOffset, window, variants, callTimeout };
failover.SetAction(async r => await FailoverBench.RunAsync(r.GetValue(postgres) ?? throw new ArgumentException("--postgres is required"), r.GetValue(runs), r.GetValue(portOffset), TimeSpan.FromSeconds(r.GetValue(window)), r.GetValue(variants)!, TimeSpan.FromMilliseconds(r.GetValue(callTimeout))));

var etcd = new Option<string?>("--etcd") { Description = "etcd client URL (http://127.0.0.1:PORT) for the durable KV peer runs." };
var kvConcurrency = Concurrency(1, 50);
var kv = new Command("kv", "KV puts/gets via FloClient vs Redis (memory) and etcd / Redis appendfsync always (durable).") { duration, redisPort, redisFsyncPort, etcd, postgres, kvConcurrency, rounds };
kv.SetAction(async r => await KvBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(redisFsyncPort), r.GetValue(etcd), r.GetValue(postgres), r.GetValue(kvConcurrency)!, r.GetValue(rounds)));

var kvput = new Command("kvput", "Only memory-provider KV puts at c=50 (for profiling).") { duration };
kvput.SetAction(async r => await KvBench.PutsOnlyAsync(TimeSpan.FromSeconds(r.GetValue(duration))));

var queueConcurrency = Concurrency(1, 50);
var queue = new Command("queue", "Queue enqueue->dequeue->ack round trips via FloClient vs a PostgreSQL SKIP LOCKED queue.") { duration, postgres, queueConcurrency, rounds };
queue.SetAction(async r => await QueueBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(postgres), r.GetValue(queueConcurrency)!, r.GetValue(rounds)));

var streamConcurrency = Concurrency(1, 50);
var streamStorage = new Option<string[]>("--storage") { Description = "Flo storage providers to run (memory, sqlite).", DefaultValueFactory = _ => ["memory", "sqlite"], AllowMultipleArgumentsPerToken = true };
var stream = new Command("stream", "Stream appends and append->group read->ack round trips via FloClient vs Redis streams.") { duration, redisPort, streamConcurrency, streamStorage, rounds };
stream.SetAction(async r => await StreamBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(streamConcurrency)!, r.GetValue(streamStorage)!, r.GetValue(rounds)));

var jobsConcurrency = Concurrency(1, 50);
var floStorage = new Option<Flo.Storage.FloStorageProvider>("--flo-storage") { Description = "Flo's storage for the jobs run (Postgres, the durable default; Memory or Sqlite to see what storage costs).", DefaultValueFactory = _ => Flo.Storage.FloStorageProvider.Postgres };
var jobs = new Command("jobs", "Jobs invoke->handler->result (no-op handler, closed loop): Flo actions on PostgreSQL vs Hangfire on PostgreSQL and Celery on Redis.") { duration, postgres, redisPort, jobsConcurrency, floStorage, rounds };
jobs.SetAction(async r =>
{
    // Flo's runner needs the PostgreSQL server too (durable, as Hangfire); without it only the peers run.
    var storage = r.GetValue(floStorage);
    await using var flo = r.GetValue(postgres) is not null || storage != Flo.Storage.FloStorageProvider.Postgres ? await Flo.Bench.Jobs.FloJobsRunner.CreateAsync(r.GetValue(postgres), storage) : null;
    await JobsBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(postgres), r.GetValue(redisPort), r.GetValue(jobsConcurrency)!, r.GetValue(rounds),
        flo: flo is null ? null : flo.RunAsync);
});

var scheduleCounts = new Option<int[]>("--schedules") { Description = "Interval schedules per comparison (several: one comparison each).", DefaultValueFactory = _ => [10_000], AllowMultipleArgumentsPerToken = true };
var intervalMs = new Option<int>("--interval-ms") { Description = "Every schedule's interval.", DefaultValueFactory = _ => 1_000 };
var warmup = new Option<int>("--warmup") { Description = "Seconds between starting the schedules and the measured window.", DefaultValueFactory = _ => 8 };
var scheduleRunners = new Option<string[]>("--runners") { Description = "Sides to run: flo, quartz.", DefaultValueFactory = _ => ["flo", "quartz"], AllowMultipleArgumentsPerToken = true };
var floPartitions = new Option<int>("--flo-partitions") { Description = "Dispatch partitions of Flo's scheduled action.", DefaultValueFactory = _ => 2 };
var floWorkers = new Option<int>("--flo-workers") { Description = "Flo workers in the bench process (each has one lease call out at a time).", DefaultValueFactory = _ => 4 };
var floConcurrency = new Option<int>("--flo-concurrency") { Description = "Each Flo worker's concurrency.", DefaultValueFactory = _ => 250 };
var floMissedRuns = new Option<Flo.Schedules.MissedRuns>("--flo-missed-runs") { Description = "What Flo's schedules do with due times they could not fire on time: RunOnce (collapse, the default), Skip, RunEach (catch up, as Quartz does).", DefaultValueFactory = _ => Flo.Schedules.MissedRuns.RunOnce };
var quartzThreads = new Option<int>("--quartz-threads") { Description = "Quartz's thread pool (jobs at once; also caps a batch).", DefaultValueFactory = _ => 100 };
var quartzBatch = new Option<int>("--quartz-batch") { Description = "Quartz's most triggers per acquisition (batchTriggerAcquisitionMaxCount).", DefaultValueFactory = _ => 100 };
var schedules = new Command("schedules", "N interval schedules of a no-op on one node: Flo (one silo, PostgreSQL) vs Quartz.NET (ADO.NET job store, clustered, same PostgreSQL).")
{
    duration, postgres, rounds, scheduleCounts, intervalMs, warmup, scheduleRunners, floPartitions, floWorkers, floConcurrency, floMissedRuns, quartzThreads, quartzBatch,
};
schedules.SetAction(async (r, cancellationToken) => await SchedulesBench.RunAsync(new SchedulesSettings(
    r.GetValue(postgres) ?? throw new ArgumentException("--postgres is required"), r.GetValue(scheduleCounts)!, TimeSpan.FromMilliseconds(r.GetValue(intervalMs)),
    TimeSpan.FromSeconds(r.GetValue(duration)), TimeSpan.FromSeconds(r.GetValue(warmup)), r.GetValue(rounds), r.GetValue(scheduleRunners)!,
    r.GetValue(floPartitions), r.GetValue(floWorkers), r.GetValue(floConcurrency), r.GetValue(quartzThreads), r.GetValue(quartzBatch), r.GetValue(floMissedRuns)), cancellationToken));

var flowGenerations = new Option<int>("--generations") { Description = "Generations of each in-memory flow run (and of its TPL Dataflow floor).", DefaultValueFactory = _ => 10_000 };
var flowDurableGenerations = new Option<int>("--durable-generations") { Description = "Generations of each PostgreSQL flow run.", DefaultValueFactory = _ => 10_000 };
var flowGraphs = new Option<string[]>("--graphs") { Description = "Graphs: pipeline (10 nodes), cycle (2 nodes).", DefaultValueFactory = _ => ["pipeline", "cycle"], AllowMultipleArgumentsPerToken = true };
var flowStorages = new Option<string[]>("--storage") { Description = "Flo storage providers to run (memory, postgres).", DefaultValueFactory = _ => ["memory", "postgres"], AllowMultipleArgumentsPerToken = true };
var flowNodes = new Option<string[]>("--nodes") { Description = "Where Flo runs node code: worker (a flow worker of the bench process), silo (the silo itself).", DefaultValueFactory = _ => ["worker"], AllowMultipleArgumentsPerToken = true };
var dataflow = new Command("dataflow", "Flows: a 10-node pipeline and a 2-node cycle, node runs/s and generation latency, Flo (memory, PostgreSQL) vs System.Threading.Tasks.Dataflow in one process.")
{
    postgres, rounds, flowGenerations, flowDurableGenerations, flowGraphs, flowStorages, flowNodes,
};
dataflow.SetAction(async r => await DataflowBench.RunAsync(new DataflowSettings(
    r.GetValue(postgres), r.GetValue(flowGenerations), r.GetValue(flowDurableGenerations), r.GetValue(rounds), r.GetValue(flowGraphs)!, r.GetValue(flowStorages)!, r.GetValue(flowNodes)!)));

var securityConcurrency = Concurrency(1, 50);
var security = new Command("security", "The cost of security: FloClient KV and RESP (redis-benchmark) with tokens and TLS off/on, silo->silo calls with TLS off/on.") { duration, securityConcurrency, rounds };
security.SetAction(async r => await Flo.Bench.Security.SecurityBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(securityConcurrency)!, r.GetValue(rounds)));

var root = new RootCommand("Flo benchmarks") { calls, memory, storage, state, cluster, failover, kv, kvput, queue, stream, jobs, schedules, dataflow, security };
return await root.Parse(args).InvokeAsync();
