using System.Text;

namespace Flo.Dataflow;

/// <summary>
/// Checks a flow's wiring and decides how it runs: which connections close cycles (and so take the producer's
/// previous generation, the parameter's default in generation 0), and which nodes run generation after generation.
/// Used when a flow is built and again by the server for a graph it is given; the result does not depend on who runs it.
/// </summary>
/// <remarks>
/// Cycle breaking follows the seed: a cycle is started by a node that has defaults for every parameter fed from inside
/// the cycle. The seed picks such a node as its scheduler happens to meet it; here it is the first one in definition
/// order, so the same flow always runs the same way. Breaking one cycle may leave another (a node in two cycles), so the
/// analysis repeats until no cycle is left, or throws <see cref="FlowCycleWithoutDefaultException"/>.
/// </remarks>
public static class FlowGraphAnalysis
{
    /// <summary>
    /// Returns <paramref name="graph"/> with <see cref="FlowInputSpec.Delay"/> and <see cref="FlowNodeSpec.Recurrent"/>
    /// decided; throws <see cref="FlowArgumentException"/> for broken wiring and
    /// <see cref="FlowCycleWithoutDefaultException"/> for a cycle that no node can start.
    /// </summary>
    public static FlowGraph Analyze(FlowGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes;
        var index = IndexNodes(nodes);
        var count = nodes.Count;
        // sources[i][k]: the producer of node i's input k, or -1.
        var sources = new int[count][];
        var delay = new bool[count][];
        for (var i = 0; i < count; i++)
        {
            var inputs = nodes[i].Inputs;
            sources[i] = new int[inputs.Count];
            delay[i] = new bool[inputs.Count];
            for (var k = 0; k < inputs.Count; k++)
            {
                sources[i][k] = SourceOf(nodes, index, i, k);
            }
        }
        var recurrent = RecurrentNodes(count, sources);
        while (true)
        {
            var cyclic = Components(count, sources, delay).Where(c => IsCycle(c, sources, delay)).ToList();
            if (cyclic.Count == 0)
            {
                break;
            }
            foreach (var component in cyclic)
            {
                var members = new HashSet<int>(component);
                var starter = component.FirstOrDefault(m => InCycleInputs(m, members, sources, delay).All(k => nodes[m].Inputs[k].HasDefault), -1);
                if (starter < 0)
                {
                    throw CycleWithoutDefault(nodes, component, members, sources, delay);
                }
                foreach (var k in InCycleInputs(starter, members, sources, delay))
                {
                    delay[starter][k] = true;
                }
            }
        }
        var analyzed = new FlowNodeSpec[count];
        for (var i = 0; i < count; i++)
        {
            var node = nodes[i];
            analyzed[i] = node with
            {
                Recurrent = recurrent[i],
                Inputs = [.. node.Inputs.Select((input, k) => input with { Delay = delay[i][k] })],
            };
        }
        return graph with { Nodes = analyzed };
    }

    private static Dictionary<string, int> IndexNodes(IReadOnlyList<FlowNodeSpec> nodes)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            FlowLimits.ValidateNodeName(nodes[i].Name);
            FlowLimits.ValidateNodeTypeName(nodes[i].NodeType);
            if (!index.TryAdd(nodes[i].Name, i))
            {
                throw new FlowArgumentException($"Two nodes are named '{nodes[i].Name}'.");
            }
        }
        if (nodes.Count == 0)
        {
            throw new FlowArgumentException("A flow needs at least one node.");
        }
        return index;
    }

    private static int SourceOf(IReadOnlyList<FlowNodeSpec> nodes, Dictionary<string, int> index, int i, int k)
    {
        var input = nodes[i].Inputs[k];
        switch (input.Kind)
        {
            case FlowInputKind.Node:
                if (input.From is null || !index.TryGetValue(input.From, out var from))
                {
                    throw new FlowArgumentException($"Node '{nodes[i].Name}' parameter '{input.Parameter}' is connected to '{input.From}', which is not a node of the flow.");
                }
                if (input.FromPort < 0 || input.FromPort >= nodes[from].Outputs.Count)
                {
                    throw new FlowArgumentException($"Node '{nodes[i].Name}' parameter '{input.Parameter}' takes output {input.FromPort} of '{input.From}', which has {nodes[from].Outputs.Count}.");
                }
                return from;
            case FlowInputKind.Default when !input.HasDefault:
                throw new FlowMissingInputException($"Node '{nodes[i].Name}' parameter '{input.Parameter}' has no input and no default value.", nodes[i].Name, input.Parameter);
            case FlowInputKind.Constant when input.Stream:
                throw new FlowArgumentException($"Node '{nodes[i].Name}' parameter '{input.Parameter}' takes a stream: connect it to a node, not a constant.");
            default:
                return -1;
        }
    }

    /// <summary>Nodes whose weakly connected part of the graph contains a cycle: they run until the flow stops.</summary>
    private static bool[] RecurrentNodes(int count, int[][] sources)
    {
        var parent = Enumerable.Range(0, count).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        for (var i = 0; i < count; i++)
        {
            foreach (var s in sources[i].Where(s => s >= 0))
            {
                parent[Find(s)] = Find(i);
            }
        }
        var noDelay = sources.Select(s => new bool[s.Length]).ToArray();
        var cyclicRoots = Components(count, sources, noDelay).Where(c => IsCycle(c, sources, noDelay)).Select(c => Find(c[0])).ToHashSet();
        return [.. Enumerable.Range(0, count).Select(i => cyclicRoots.Contains(Find(i)))];
    }

    /// <summary>Strongly connected components over the connections that do not close a cycle (Tarjan), members in definition order.</summary>
    private static List<List<int>> Components(int count, int[][] sources, bool[][] delay)
    {
        var ids = Enumerable.Repeat(-1, count).ToArray();
        var low = new int[count];
        var onStack = new bool[count];
        var stack = new Stack<int>();
        var result = new List<List<int>>();
        var next = 0;

        void Visit(int v)
        {
            ids[v] = low[v] = next++;
            stack.Push(v);
            onStack[v] = true;
            for (var k = 0; k < sources[v].Length; k++)
            {
                var w = sources[v][k];
                if (w < 0 || delay[v][k])
                {
                    continue;
                }
                if (ids[w] < 0)
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack[w])
                {
                    low[v] = Math.Min(low[v], ids[w]);
                }
            }
            if (low[v] == ids[v])
            {
                var component = new List<int>();
                int w;
                do
                {
                    w = stack.Pop();
                    onStack[w] = false;
                    component.Add(w);
                }
                while (w != v);
                component.Sort();
                result.Add(component);
            }
        }

        for (var v = 0; v < count; v++)
        {
            if (ids[v] < 0)
            {
                Visit(v);
            }
        }
        result.Sort((a, b) => a[0].CompareTo(b[0]));
        return result;
    }

    private static bool IsCycle(List<int> component, int[][] sources, bool[][] delay)
        => component.Count > 1 || Enumerable.Range(0, sources[component[0]].Length).Any(k => sources[component[0]][k] == component[0] && !delay[component[0]][k]);

    /// <summary>The inputs of <paramref name="node"/> fed from inside its component (not already closing a cycle).</summary>
    private static IEnumerable<int> InCycleInputs(int node, HashSet<int> members, int[][] sources, bool[][] delay)
        => Enumerable.Range(0, sources[node].Length).Where(k => sources[node][k] >= 0 && !delay[node][k] && members.Contains(sources[node][k]));

    private static FlowCycleWithoutDefaultException CycleWithoutDefault(IReadOnlyList<FlowNodeSpec> nodes, List<int> component, HashSet<int> members, int[][] sources, bool[][] delay)
    {
        var cycle = CyclePath(component[0], members, sources, delay).Select(i => nodes[i].Name).ToList();
        var candidates = component.Select(m => new FlowCycleCandidate
        {
            Node = nodes[m].Name,
            NodeType = nodes[m].NodeType,
            Parameters = [.. InCycleInputs(m, members, sources, delay).Select(k => nodes[m].Inputs[k].Parameter).Distinct()],
            Signature = nodes[m].Signature,
        }).ToList();
        var message = new StringBuilder();
        message.Append("Detected a cycle without default values: ").Append(string.Join(" -> ", cycle))
            .Append(". Add defaults to the listed parameters of at least ONE of these nodes:");
        for (var c = 0; c < candidates.Count; c++)
        {
            if (c > 0)
            {
                message.Append("\nOR");
            }
            var candidate = candidates[c];
            message.Append("\n  ").Append(candidate.Node).Append(" (").Append(candidate.NodeType).Append(") needs defaults for EACH of: ")
                .Append(string.Join(", ", candidate.Parameters));
            if (candidate.Signature.Length > 0)
            {
                message.Append("\n      ").Append(candidate.Signature);
            }
        }
        return new FlowCycleWithoutDefaultException(message.ToString(), cycle, candidates);
    }

    /// <summary>A shortest cycle through <paramref name="start"/> inside its component, as data flows (producer to consumer).</summary>
    private static List<int> CyclePath(int start, HashSet<int> members, int[][] sources, bool[][] delay)
    {
        // Consumers within the component: the reverse of "sources".
        var consumers = members.ToDictionary(m => m, _ => new List<int>());
        foreach (var c in members.Order())
        {
            for (var k = 0; k < sources[c].Length; k++)
            {
                var s = sources[c][k];
                if (s >= 0 && !delay[c][k] && members.Contains(s) && !consumers[s].Contains(c))
                {
                    consumers[s].Add(c);
                }
            }
        }
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in consumers[v])
            {
                if (w == start)
                {
                    var path = new List<int> { start };
                    for (var at = v; at != start; at = previous[at])
                    {
                        path.Insert(1, at);
                    }
                    path.Add(start);
                    return path;
                }
                if (w != start && previous.TryAdd(w, v))
                {
                    queue.Enqueue(w);
                }
            }
        }
        return [start, start];
    }
}
