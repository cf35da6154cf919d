using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>
/// The scheduling rules of a flow run, free of grains so they can be read and tested alone. Generation <c>g</c> of a
/// node may start when
/// <list type="bullet">
/// <item>it is not running or failed, and either <c>g</c> is 0 or the node runs generation after generation
/// (<see cref="FlowNodeSpec.Recurrent"/>);</item>
/// <item>every input has the value of the generation it needs: generation <c>g</c> of its producer, or <c>g - 1</c>
/// over a connection that closes a cycle (the parameter's default when <c>g</c> is 0); a streamed input only needs its
/// producer to have started that generation;</item>
/// <item>every consumer took its generation <c>g - 1</c>: started the run that reads it, or for a streamed input,
/// finished it. This keeps the flow in lockstep (the seed's barriers): a node holds only its last value, and no
/// consumer ever sees a generation skipped;</item>
/// <item>something asks for it, as in the seed, which pushes new values downstream and pulls stale ones from upstream:
/// one of its inputs already has the value of generation <c>g</c> (pushed), or a consumer that is asked for its next
/// generation needs this one (pulled). So a node fed only by constants runs again only when a consumer waits for it,
/// and a run stopped at a limit stops where the seed's would.</item>
/// </list>
/// </summary>
public sealed class FlowSchedule
{
    private readonly FlowRunStart start;
    private readonly Dictionary<string, int> index;
    private readonly int[][] sources;
    private readonly List<(int Consumer, int Input)>[] consumers;

    /// <summary>Builds the schedule of a started run (its graph already analyzed).</summary>
    public FlowSchedule(FlowRunStart start)
    {
        this.start = start;
        Nodes = start.Graph.Nodes;
        index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Nodes.Count; i++)
        {
            index[Nodes[i].Name] = i;
        }
        sources = new int[Nodes.Count][];
        consumers = new List<(int, int)>[Nodes.Count];
        for (var i = 0; i < Nodes.Count; i++)
        {
            consumers[i] = [];
        }
        for (var i = 0; i < Nodes.Count; i++)
        {
            var inputs = Nodes[i].Inputs;
            sources[i] = new int[inputs.Count];
            for (var k = 0; k < inputs.Count; k++)
            {
                sources[i][k] = inputs[k].Kind == FlowInputKind.Node ? index[inputs[k].From!] : -1;
                if (sources[i][k] >= 0)
                {
                    consumers[sources[i][k]].Add((i, k));
                }
            }
        }
        Views = [.. Nodes.Select(_ => new FlowNodeView())];
    }

    /// <summary>The nodes, in definition order.</summary>
    public IReadOnlyList<FlowNodeSpec> Nodes { get; }

    /// <summary>What is known of each node, by index.</summary>
    public IReadOnlyList<FlowNodeView> Views { get; }

    /// <summary>Whether any node has a generation running.</summary>
    public bool AnyRunning => Views.Any(v => v.IsRunning);

    /// <summary>The run's trace context (W3C <c>traceparent</c>, <c>tracestate</c>), handed to the nodes with every generation.</summary>
    public (string? Parent, string? State) Trace { get; set; }

    /// <summary>The index of a node, or -1.</summary>
    public int IndexOf(string node) => index.TryGetValue(node, out var i) ? i : -1;

    /// <summary>
    /// Every generation that may start now, each marked as handed out (so a later call does not return it again).
    /// Starting one may let a consumer of its stream start too, so this repeats until nothing more can start.
    /// </summary>
    public List<(int Node, NodeRunRequest Request)> TakeRunnable()
    {
        var taken = new List<(int, NodeRunRequest)>();
        bool more;
        do
        {
            more = false;
            for (var i = 0; i < Nodes.Count; i++)
            {
                var generation = Views[i].Completed + 1;
                if (CanStart(i, generation))
                {
                    Views[i].Dispatched = generation;
                    taken.Add((i, Request(i, generation)));
                    more = true;
                }
            }
        }
        while (more);
        return taken;
    }

    /// <summary>Records a completed generation; false when it is not the one running (a repeat, or stale).</summary>
    public bool Complete(int node, int generation, IReadOnlyList<string> outputs)
    {
        var view = Views[node];
        if (view.Failed || view.Completed >= generation || view.Dispatched != generation)
        {
            return false;
        }
        view.Completed = generation;
        view.Outputs = outputs;
        return true;
    }

    /// <summary>Records a failed generation; false when it is not the one running.</summary>
    public bool Fail(int node, int generation, string error)
    {
        var view = Views[node];
        if (view.Failed || view.Completed >= generation || view.Dispatched != generation)
        {
            return false;
        }
        view.Failed = true;
        view.FailedGeneration = generation;
        view.Error = error;
        return true;
    }

    /// <summary>Takes what a node's grain holds (after the run's grain reactivated).</summary>
    public void Load(int node, NodeSnapshot snapshot)
    {
        var view = Views[node];
        view.Completed = snapshot.Completed;
        view.Outputs = snapshot.Outputs;
        view.Dispatched = Math.Max(snapshot.Completed, snapshot.Running);
        view.Failed = snapshot.Status == FlowNodeStatus.Failed;
        view.FailedGeneration = snapshot.FailedGeneration;
        view.Error = snapshot.Error;
        if (view.Failed)
        {
            view.Dispatched = Math.Max(view.Dispatched, snapshot.FailedGeneration);
        }
    }

    /// <summary>Whether completing <paramref name="generation"/> reaches the node's limit (its own, else the global one).</summary>
    public bool ReachesLimit(int node, int generation)
        => start.LimitOf(Nodes[node].Name) is { } limit && new FlowGeneration(generation) >= limit;

    /// <summary>The request that runs <paramref name="generation"/> of <paramref name="node"/> with its inputs as they are now.</summary>
    public NodeRunRequest Request(int node, int generation)
    {
        var spec = Nodes[node];
        var inputs = new NodeInputValue[spec.Inputs.Count];
        for (var k = 0; k < inputs.Length; k++)
        {
            var input = spec.Inputs[k];
            var need = input.Delay ? generation - 1 : generation;
            inputs[k] = input.Kind switch
            {
                FlowInputKind.Constant => new NodeInputValue { Kind = NodeInputKind.Value, Json = input.Json },
                FlowInputKind.Node when need < 0 => new NodeInputValue { Kind = NodeInputKind.Default },
                FlowInputKind.Node when input.Stream => new NodeInputValue { Kind = NodeInputKind.Stream, From = input.From, FromPort = input.FromPort, FromGeneration = need },
                FlowInputKind.Node => ValueOf(sources[node][k], input, need),
                _ => new NodeInputValue { Kind = NodeInputKind.Default },
            };
        }
        return new NodeRunRequest
        {
            Generation = generation,
            NodeType = spec.NodeType,
            Streaming = spec.Streaming,
            ReachesLimit = ReachesLimit(node, generation),
            Inputs = inputs,
            TraceParent = Trace.Parent,
            TraceState = Trace.State,
        };
    }

    private NodeInputValue ValueOf(int producer, FlowInputSpec input, int need)
    {
        var view = Views[producer];
        if (view.Completed != need)
        {
            // Lockstep makes this impossible: a producer does not start g + 1 before its consumers took g.
            throw new InvalidOperationException($"Scheduling invariant broken: input '{input.Parameter}' needs generation {need} of '{input.From}', which holds {view.Completed}.");
        }
        return new NodeInputValue { Kind = NodeInputKind.Value, Json = view.Outputs[input.FromPort], From = input.From, FromPort = input.FromPort, FromGeneration = need };
    }

    /// <summary>
    /// Whether generation <paramref name="generation"/> of <paramref name="node"/> is asked for: an input holds the value
    /// it needs (pushed), or a consumer waiting at the generation before the one that reads it is itself asked for
    /// (pulled).
    /// </summary>
    private bool IsAskedFor(int node, int generation, HashSet<(int, int)> visiting)
    {
        var inputs = Nodes[node].Inputs;
        for (var k = 0; k < inputs.Count; k++)
        {
            var producer = sources[node][k];
            var need = inputs[k].Delay ? generation - 1 : generation;
            if (producer >= 0 && need >= 0 && (inputs[k].Stream ? Views[producer].Dispatched : Views[producer].Completed) >= need)
            {
                return true;
            }
        }
        if (!visiting.Add((node, generation)))
        {
            return false;
        }
        foreach (var (consumer, input) in consumers[node])
        {
            var readsAt = Nodes[consumer].Inputs[input].Delay ? generation + 1 : generation;
            var view = Views[consumer];
            if (consumer != node && !view.Failed && view.Completed == readsAt - 1 && view.Dispatched < readsAt && IsAskedFor(consumer, readsAt, visiting))
            {
                return true;
            }
        }
        return false;
    }

    private bool CanStart(int node, int generation)
    {
        var view = Views[node];
        if (view.Failed || view.Dispatched >= generation || (generation > 0 && !Nodes[node].Recurrent))
        {
            return false;
        }
        var inputs = Nodes[node].Inputs;
        for (var k = 0; k < inputs.Count; k++)
        {
            var producer = sources[node][k];
            if (producer < 0)
            {
                continue;
            }
            var need = inputs[k].Delay ? generation - 1 : generation;
            if (need < 0)
            {
                continue;
            }
            var have = inputs[k].Stream ? Views[producer].Dispatched : Views[producer].Completed;
            if (have < need || (inputs[k].Stream && Views[producer].Failed && Views[producer].Completed < need))
            {
                return false;
            }
        }
        if (generation == 0)
        {
            return true;
        }
        if (!IsAskedFor(node, generation, []))
        {
            return false;
        }
        foreach (var (consumer, input) in consumers[node])
        {
            if (consumer == node)
            {
                // A self-loop closes a cycle: the node takes its previous value as it starts.
                continue;
            }
            var spec = Nodes[consumer].Inputs[input];
            var takenAt = spec.Delay ? generation : generation - 1;
            var taken = spec.Stream ? Views[consumer].Completed : Views[consumer].Dispatched;
            if (taken < takenAt)
            {
                return false;
            }
        }
        return true;
    }
}
