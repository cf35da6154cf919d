using System.Text;
using System.Text.Json;
using Flo.Actions;
using Flo.Kv;

namespace Flo.Dataflow.Internal;

/// <summary>
/// Runs one generation of a node on a worker (the action handler of <c>flow:{type}</c>) or in a silo that hosts its
/// type (<see cref="IFlowNodeExecutor"/>). It turns the payload's JSON
/// inputs into arguments (streamed inputs into readers of the producer's parts), calls the node's function, sends a
/// streaming node's parts to its grain as they come, and answers with the outputs (and state) as JSON. An exception
/// from the node's code is the generation's result (the node fails), not a failed action run: action retries are for
/// lost workers and timeouts only.
/// </summary>
internal static class NodeExecution
{
    /// <summary>The action handler of <c>flow:{type}</c> on a worker: runs the generation, reports it to the node's grain and answers with the same result.</summary>
    public static async Task<byte[]> RunAsync(NodeType type, ActionContext context, IGrainFactory grains, int referenceThresholdBytes)
    {
        var payload = context.Json<NodeRunPayload>(FlowJson.Options);
        var token = context.CancellationToken;
        var result = await RunAsync(type, payload, context.Attempt, context.RunId, grains, referenceThresholdBytes, token).ConfigureAwait(false);
        var json = JsonSerializer.Serialize(result, FlowJson.Options);
        await ReportAsync(grains, payload, context.RunId, json, token).ConfigureAwait(false);
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>
    /// Runs one generation wherever it is hosted (a worker's action handler, or a silo's <see cref="IFlowNodeExecutor"/>)
    /// and returns its result; an exception from the node's code is the result's error. Cancellation is thrown. Inputs
    /// passed by reference are read first; outputs over <paramref name="referenceThresholdBytes"/> are stored and passed
    /// by reference (<see cref="FlowValueRefs"/>).
    /// </summary>
    public static async Task<NodeRunResult> RunAsync(NodeType type, NodeRunPayload payload, int attempt, string? actionRunId, IGrainFactory grains, int referenceThresholdBytes, CancellationToken token)
    {
        // The node's code runs inside this span, so spans it starts itself are its children.
        using var span = FlowTracing.StartNodeSpan(FlowTracing.NodeRunSpan, payload.TraceParent, payload.TraceState, payload.Namespace, payload.RunId, payload.Node, payload.Generation);
        span?.SetTag(FlowTracing.NodeTypeTag, type.Name);
        span?.SetTag(FlowTracing.AttemptTag, attempt);
        span?.SetTag(FlowTracing.ActionRunTag, actionRunId);
        NodeRunResult result;
        try
        {
            result = await ExecuteAsync(type, payload, attempt, grains, referenceThresholdBytes, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            FlowTracing.End(span, "cancelled");
            throw;
        }
        catch (Exception e)
        {
            result = new NodeRunResult { Error = $"{e.GetType().Name}: {e.Message}" };
        }
        FlowTracing.End(span, result.Error is null ? "completed" : "failed", result.Error);
        return result;
    }

    private static async Task<NodeRunResult> ExecuteAsync(NodeType type, NodeRunPayload payload, int attempt, IGrainFactory grains, int referenceThresholdBytes, CancellationToken cancellationToken)
    {
        var values = new KvApi(grains);
        if (payload.Inputs.Count != type.Parameters.Count)
        {
            throw new FlowArgumentException($"Node type '{type.Name}' takes {type.Parameters.Count} inputs; generation {payload.Generation} of '{payload.Node}' brought {payload.Inputs.Count}: does this worker host another version of it?");
        }
        var arguments = new object?[type.Invoker.Arity];
        object? state = null;
        if (type.StateType is { } stateType)
        {
            state = payload.State is null ? type.CreateState!() : JsonSerializer.Deserialize(payload.State, stateType, FlowJson.Options);
            arguments[0] = state;
        }
        foreach (var i in type.TokenArguments)
        {
            arguments[i] = cancellationToken;
        }
        for (var k = 0; k < type.Parameters.Count; k++)
        {
            var input = payload.Inputs[k];
            // Values passed by reference are fetched here, in the process that runs the node, not carried by the grains.
            var json = input.Kind == NodeInputKind.Value ? await FlowValueRefs.ResolveAsync(values, payload.Namespace, input.Json ?? "null", cancellationToken).ConfigureAwait(false) : null;
            arguments[type.Parameters[k].Argument] = Argument(type, k, payload, json, grains, cancellationToken);
        }
        var previous = FlowNodeContext.Current;
        FlowNodeContext.Current = new FlowNodeContext(payload.Namespace, payload.RunId, payload.Node, payload.Generation, attempt, cancellationToken) { Values = values };
        try
        {
            var returned = type.Invoker.Invoke(arguments);
            object? value;
            if (type.Streaming)
            {
                var emitter = new PartEmitter(Grain(grains, payload, payload.Node), payload.Generation, cancellationToken);
                value = type.Shape.Seed;
                await foreach (var part in type.Invoker.Stream(returned, cancellationToken).ConfigureAwait(false))
                {
                    value = type.Shape.Accumulate(value, part);
                    await emitter.AddAsync(type.Shape.Serialize(part)).ConfigureAwait(false);
                }
                await emitter.FlushAsync().ConfigureAwait(false);
            }
            else
            {
                value = await type.Invoker.ResultAsync(returned).ConfigureAwait(false);
            }
            // Stored before the result is reported, so a re-run of the generation overwrites the same keys.
            var outputs = await FlowValueRefs.StoreAsync(values, payload.Namespace, payload.RunId, payload.Node, payload.Generation, type.Shape.Serialize(value), referenceThresholdBytes, cancellationToken).ConfigureAwait(false);
            return new NodeRunResult
            {
                Outputs = outputs,
                State = type.StateType is { } t ? JsonSerializer.Serialize(state, t, FlowJson.Options) : null,
            };
        }
        finally
        {
            FlowNodeContext.Current = previous;
        }
    }

    private static object? Argument(NodeType type, int k, NodeRunPayload payload, string? json, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var parameter = type.Parameters[k];
        var input = payload.Inputs[k];
        return input.Kind switch
        {
            NodeInputKind.Default => parameter.DefaultValue,
            NodeInputKind.Stream when type.StreamReaders[k] is { } read
                => read(Grain(grains, payload, input.From!), input.From!, input.FromGeneration, input.FromPort, cancellationToken),
            NodeInputKind.Value when !parameter.IsStream => JsonSerializer.Deserialize(json ?? "null", parameter.Type, FlowJson.Options),
            _ => throw new FlowArgumentException($"Node '{payload.Node}' parameter '{parameter.Name}' was given a {input.Kind} input, which it cannot take."),
        };
    }

    private static IFlowNodeGrain Grain(IGrainFactory grains, NodeRunPayload payload, string node)
        => grains.GetGrain<IFlowNodeGrain>(FlowLimits.NodeKey(payload.Namespace, payload.RunId, node));

    /// <summary>
    /// Tells the node's grain now (it also watches the action run, so a report lost here is found: this is the fast
    /// path, and after a silo loss it brings the node back at once).
    /// </summary>
    private static async Task ReportAsync(IGrainFactory grains, NodeRunPayload payload, string actionRunId, string json, CancellationToken cancellationToken)
    {
        try
        {
            await Grain(grains, payload, payload.Node).Report(payload.Generation, actionRunId, json).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The action run's result carries the same report.
        }
    }
}
