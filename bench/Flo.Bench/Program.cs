using System.CommandLine;
using Flo.Bench;

// End-to-end benchmarks of the runtime, each beside a peer doing the same work on this machine.
// bench/run.sh starts the peers (Redis, PostgreSQL) and runs everything; see bench/RESULTS.md.
var duration = new Option<int>("--seconds") { Description = "Measured seconds per run.", DefaultValueFactory = _ => 5 };
var redisPort = new Option<int?>("--redis-port") { Description = "Port of a Redis server for the peer PING runs." };
var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string for the storage runs." };
var activations = new Option<int>("--activations") { Description = "Activations for the memory run.", DefaultValueFactory = _ => 100_000 };
var concurrency = new Option<int[]>("--concurrency") { Description = "Concurrent callers.", DefaultValueFactory = _ => [1, 100], AllowMultipleArgumentsPerToken = true };

var calls = new Command("calls", "Grain calls per second and latency, in-silo and client->silo.") { duration, redisPort, concurrency };
calls.SetAction(async r => await GrainCallBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(concurrency)!));

var memory = new Command("memory", "Managed memory per idle activation.") { activations };
memory.SetAction(async r => await ActivationMemoryBench.RunAsync(r.GetValue(activations)));

var storageConcurrency = new Option<int[]>("--concurrency") { Description = "Concurrent writers.", DefaultValueFactory = _ => [1, 64], AllowMultipleArgumentsPerToken = true };
var storage = new Command("storage", "Grain state writes per second per provider.") { duration, postgres, storageConcurrency };
storage.SetAction(async r => await StorageBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(postgres), r.GetValue(storageConcurrency)!));

var failovers = new Option<int>("--failovers") { Description = "Kill/rejoin runs for failover and convergence times.", DefaultValueFactory = _ => 5 };
var cluster = new Command("cluster", "Silo->silo calls, client->3-silo throughput, failover and membership convergence times.") { duration, redisPort, postgres, concurrency, failovers };
cluster.SetAction(async r => await ClusterBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(postgres), r.GetValue(concurrency)!, r.GetValue(failovers)));

var etcd = new Option<string?>("--etcd") { Description = "etcd client URL (http://127.0.0.1:PORT) for the durable KV peer runs." };
var kvConcurrency = new Option<int[]>("--concurrency") { Description = "Concurrent callers.", DefaultValueFactory = _ => [1, 50], AllowMultipleArgumentsPerToken = true };
var kv = new Command("kv", "KV puts/gets via FloClient vs Redis (memory) and etcd (durable).") { duration, redisPort, etcd, postgres, kvConcurrency };
kv.SetAction(async r => await KvBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(etcd), r.GetValue(postgres), r.GetValue(kvConcurrency)!));

var kvput = new Command("kvput", "Only memory-provider KV puts at c=50 (for profiling).") { duration };
kvput.SetAction(async r => await KvBench.PutsOnlyAsync(TimeSpan.FromSeconds(r.GetValue(duration))));

var queueConcurrency = new Option<int[]>("--concurrency") { Description = "Concurrent callers.", DefaultValueFactory = _ => [1, 50], AllowMultipleArgumentsPerToken = true };
var queue = new Command("queue", "Queue enqueue->dequeue->ack round trips via FloClient vs a PostgreSQL SKIP LOCKED queue.") { duration, postgres, queueConcurrency };
queue.SetAction(async r => await QueueBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(postgres), r.GetValue(queueConcurrency)!));

var streamConcurrency = new Option<int[]>("--concurrency") { Description = "Concurrent callers.", DefaultValueFactory = _ => [1, 50], AllowMultipleArgumentsPerToken = true };
var streamStorage = new Option<string[]>("--storage") { Description = "Flo storage providers to run (memory, sqlite).", DefaultValueFactory = _ => ["memory", "sqlite"], AllowMultipleArgumentsPerToken = true };
var streamRounds = new Option<int>("--rounds") { Description = "Alternating peer/Flo runs per workload; the median ratio is reported.", DefaultValueFactory = _ => 3 };
var stream = new Command("stream", "Stream appends and append->group read->ack round trips via FloClient vs Redis streams.") { duration, redisPort, streamConcurrency, streamStorage, streamRounds };
stream.SetAction(async r => await StreamBench.RunAsync(TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(redisPort), r.GetValue(streamConcurrency)!, r.GetValue(streamStorage)!, r.GetValue(streamRounds)));

var root = new RootCommand("Flo benchmarks") { calls, memory, storage, cluster, kv, kvput, queue, stream };
return await root.Parse(args).InvokeAsync();
