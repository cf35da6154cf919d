using Flo;
using Flo.Dataflow;
using Flo.Samples.Dataflow;

// The seed's dataflow examples with the C# API, run on a Flo cluster (start one with `dotnet run --project silo`).
// Usage: dotnet run --project samples/dataflow [gateway, default localhost:9000]
var gateway = args.Length > 0 ? args[0] : "localhost:9000";
await using var client = await FloClient.ConnectAsync(gateway);

void Print(string line) => Console.WriteLine("  " + line);

async Task RunAsync(string title, Func<FlowDefinition> build, FlowRunOptions? options = null, params string[] show)
{
    Console.WriteLine($"== {title}");
    try
    {
        var flow = build();
        // Each example in its own namespace: node type names (Add, Sum, ...) are unique per namespace.
        var result = await client.Flow.RunUntilCompleteAsync(flow, (options ?? new FlowRunOptions()) with { Namespace = "dataflow-samples-" + flow.Name });
        Console.WriteLine($"  -> {result.Status}: {result.Reason}");
        foreach (var node in show)
        {
            var summary = result.Node(node);
            Console.WriteLine($"  {node} at {summary.Generation}: {summary.ValueJson}");
        }
    }
    catch (FlowDefinitionException e)
    {
        Console.WriteLine($"  refused when built ({e.GetType().Name}):");
        Console.WriteLine("  " + e.Message.Replace("\n", "\n  "));
    }
}

await RunAsync("Quick start", () => Quickstart.Build(Print), show: "sum");
await RunAsync("Forward reference", Quickstart.BuildForwardReference, show: "node_y");
await RunAsync("Self-loop as documented (no default)", SelfLoop.BuildAsDocumented);
await RunAsync("Self-loop with b = 0, stop at (3,)", SelfLoop.Build, SelfLoop.Options, "result");
await RunAsync("Cycle without default", CycleBreaking.BuildWithoutDefault);
await RunAsync("Cycle without default (two parameters)", CycleBreaking.BuildTwoParameterCycle);
await RunAsync("Cycle breaking, stop at (3,)", () => CycleBreaking.Build(Print), CycleBreaking.Options, "a", "b");
await RunAsync("Doubly cyclic, Sum raises at x >= 3", () => DoublyCyclic.Build(Print), show: "sum_node");
await RunAsync("Multiple outputs", MultipleOutputs.Build, show: ["sum_and_diff", "sum", "diff", "described"]);
await RunAsync("Streamed input", StreamInput.Build, show: ["total", "added"]);
await RunAsync("Streaming chain", () => StreamingChain.BuildChain(Print), show: "reverse");
await RunAsync("Streaming cycle, stop at (3,)", () => StreamingChain.BuildCycle(Print), new FlowRunOptions { StopAt = 3 }, "reverse");
await RunAsync("Streaming cycle, stop reverse at (1,)", () => StreamingChain.BuildCycle(Print),
    new FlowRunOptions { StopAtNode = new Dictionary<string, FlowGeneration> { ["reverse"] = 1 } }, "reverse");
await RunAsync("azip", ZippedStreams.BuildPairs, show: "pairs");
await RunAsync("Zipped streams summed", () => ZippedStreams.BuildPiecewiseSum(Print), show: "total");
await RunAsync("Stateful RollingSum", () => StatefulNodes.BuildRollingSum(Print), StatefulNodes.RollingSumOptions, "rolling_sum");
await RunAsync("Stateful stream", StatefulNodes.BuildStatefulStream, show: "list");
await RunAsync("Stateful node with a streamed input", StatefulNodes.BuildStreamAccumulator, show: "accumulator");
await RunAsync("Type mismatch", TypeMismatch.Build);
