using Flo;
using Flo.Actions;
using Flo.Dataflow;
using Flo.Kv;
using Flo.Queues;
using Flo.Streams;
using Flo.Tasks;
using ServiceSample.Grains;

namespace ReadmeSnippets;

/// <summary>The README's snippets, one method per section, each given a connected client.</summary>
public static class Snippets
{
    /// <summary>README: the KV store.</summary>
    public static async Task KvAsync(FloClient client)
    {
        long version = await client.Kv.PutAsync("user:123", "John Doe"u8.ToArray(), new PutOptions(TtlSeconds: 3600));
        KvEntry? entry = await client.Kv.GetAsync("user:123", new GetOptions(BlockMs: 5000));
        await foreach (var key in client.Kv.ScanAllAsync("user:")) { Console.WriteLine(key); }
        Check(entry?.Version == version, "the KV snippet reads back what it wrote");
    }

    /// <summary>README: queues.</summary>
    public static async Task QueuesAsync(FloClient client)
    {
        byte[] payload = "resize image 42"u8.ToArray();
        long seq = await client.Queue.EnqueueAsync("tasks", payload, new EnqueueOptions(Priority: 10));
        var messages = await client.Queue.DequeueAsync("tasks", 10, new DequeueOptions(BlockMs: 30_000));
        await client.Queue.AckAsync("tasks", [.. messages.Select(m => m.Seq)]);   // or NackAsync(..., new NackOptions(ToDlq: true))
        Check(messages.Any(m => m.Seq == seq), "the queue snippet dequeues what it enqueued");
    }

    /// <summary>README: streams.</summary>
    public static async Task StreamsAsync(FloClient client)
    {
        byte[] payload = "clicked"u8.ToArray();
        await client.Stream.GroupJoinAsync("events", "processors", "worker-1");   // a new group reads what is appended after it joined
        StreamId id = await client.Stream.AppendAsync("events", payload);
        var latest = await client.Stream.ReadAsync("events", new StreamReadOptions(Tail: true, Count: 10));
        var batch = await client.Stream.GroupReadAsync("events", "processors", "worker-1", new StreamGroupReadOptions(Count: 10, BlockMs: 30_000));
        await client.Stream.GroupAckAsync("events", "processors", batch);
        Check(latest.Any(r => r.Id == id) && batch.Any(r => r.Id == id), "the stream snippet reads its append, alone and in the group");
    }

    /// <summary>README: actions, a worker, and the task facade.</summary>
    public static async Task ActionsAsync(FloClient client)
    {
        byte[] payload = "resize image 42"u8.ToArray();
        await client.Action.RegisterAsync("process-image", new ActionRegisterOptions(TimeoutMs: 60_000, MaxRetries: 3));
        await using var worker = client.NewActionWorker(new ActionWorkerOptions(Concurrency: 5));
        worker.Action("process-image", ctx => Task.FromResult(ctx.ToBytes(new { status = "done", size = ctx.Payload.Length })));
        await worker.StartAsync();
        string runId = await client.Action.InvokeAsync("process-image", payload, new ActionInvokeOptions(Priority: 10, IdempotencyKey: "order-123"));
        ActionRun run = await client.Action.WaitAsync(runId, TimeSpan.FromSeconds(30));
        Check(run.Status == RunStatus.Completed, "the action snippet's run completed");

        await using var app = client.NewTaskApp();
        var resize = app.Task("resize", async (ResizeArgs a, CancellationToken ct) => { await Task.Delay(10, ct); return a.Width / 2; }, new TaskOptions(MaxRetries: 2));
        await app.StartAsync();
        string taskId = await app.SubmitAsync(resize, new ResizeArgs("cat.png", 640));
        TaskResult<int> result = await app.WaitForResultAsync<int>(taskId, TimeSpan.FromSeconds(30));
        Check(result.Result == 320, "the task snippet's result came back");
    }

    /// <summary>README: a cyclic flow whose nodes are grains, its node code run by this process.</summary>
    public static async Task DataflowAsync(FloClient client)
    {
        var add = Flow.Node("add", async (int a, int b = 0) => a + b);
        var f = new FlowBuilder("counter");
        f["result"] = add(1, f["result"]);
        FlowRunInfo done = await client.Flow.RunUntilCompleteAsync(f.Build(), new FlowRunOptions { StopAt = 3 });
        Console.WriteLine($"{done.Status}: result = {done.ValueOf<int>("result")} at {done.GenerationOf("result")}");
        Check(done.Status == FlowRunStatus.LimitReached && done.ValueOf<int>("result") == 4, "the dataflow snippet counted to 4 at generation 3");
    }

    /// <summary>The task snippet's arguments.</summary>
    public sealed record ResizeArgs(string Name, int Width);

    /// <summary>README: a grain of your own (samples/ServiceSample.Grains, loaded by the silo), on the same connection.</summary>
    public static async Task OwnGrainsAsync(FloClient client)
    {
        VisitSummary visits = await client.Grains.GetGrain<IVisitCounterGrain>("ada").Visit();
        Console.WriteLine($"{visits.Name}: {visits.Visits} visits");
        Check(visits.Visits >= 1, "the grain counted the visit");
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("README snippet failed: " + what);
        }
    }

    /// <summary>README: security, a client of a cluster that requires a token and TLS (compiled, not run: it needs such a cluster).</summary>
    public static async Task SecuredAsync()
    {
        await using var client = await FloClient.ConnectAsync("flo:9000", new FloClientOptions
        {
            Namespace = "orders",
            Token = Environment.GetEnvironmentVariable("FLO_TOKEN"),
            Tls = new FloClientTlsOptions { CaPath = "/etc/flo/tls/ca.crt" },
        });
        await client.Kv.GetAsync("user:123");
    }
}
