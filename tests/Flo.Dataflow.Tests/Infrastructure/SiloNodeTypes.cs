using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Flo.Dataflow.Tests.Infrastructure;

/// <summary>
/// Node types the test silos run themselves: found in this assembly by <c>Cluster:Dataflow:NodeAssemblies</c>
/// (<see cref="SiloNodeClusters"/>). Tests build flows from the same static node factories. Their code reports what it
/// does to the observer of its run (<see cref="Observe"/>), by run id.
/// </summary>
public sealed class SiloNodeTypes : IFlowNodeTypes
{
    private static readonly ConcurrentDictionary<string, Action<string, object?>> Observers = new();

    /// <summary>A running total (stateful), so a generation applied twice would show in every later value.</summary>
    public sealed class Total
    {
        public long Sum { get; set; }
    }

    /// <summary><c>value + 1</c>, slowly enough that a silo kill lands mid-flow.</summary>
    public static readonly NodeFactory Increment = Flow.Node("silo-increment", async (long value = 0, CancellationToken cancellationToken = default) =>
    {
        Report("increment", value);
        await Task.Delay(25, cancellationToken);
        return value + 1;
    });

    /// <summary>A stateful running total of its input.</summary>
    public static readonly NodeFactory Accumulate = Flow.StatefulNode("silo-accumulate", () => new Total(), (Total total, long value) =>
    {
        Report("accumulate", value);
        total.Sum += value;
        return total.Sum;
    });

    /// <summary>Streams 1..n.</summary>
    public static readonly NodeFactory Count = Flow.Node("silo-count", CountTo);

    /// <summary>Throws.</summary>
    public static readonly NodeFactory Fail = Flow.Node("silo-fail", int (int value) => throw new InvalidOperationException($"silo node refuses {value}"));

    /// <summary>Waits until cancelled, telling its observer when it starts and when it is cancelled.</summary>
    public static readonly NodeFactory Hang = Flow.Node("silo-hang", async (int value, CancellationToken cancellationToken) =>
    {
        Report("hang-started", value);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Report("hang-cancelled", value);
            throw;
        }
        return value;
    });

    /// <summary>A string of <c>size</c> characters (a large value).</summary>
    public static readonly NodeFactory Big = Flow.Node("silo-big", (int size) => new string('x', size));

    /// <inheritdoc/>
    public IEnumerable<NodeType> NodeTypes => [.. new[] { Increment, Accumulate, Count, Fail, Hang, Big }.Select(Flow.TypeOf)];

    /// <summary>Routes what the silo nodes of run <paramref name="runId"/> do to <paramref name="observer"/> until disposed.</summary>
    public static IDisposable Observe(string runId, Action<string, object?> observer)
    {
        Observers[runId] = observer;
        return new Unobserve(runId);
    }

    private static void Report(string what, object? value)
    {
        if (FlowNodeContext.Current is { } context && Observers.TryGetValue(context.RunId, out var observer))
        {
            observer(what, value);
        }
    }

    private static async IAsyncEnumerable<int> CountTo(int n, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 1; i <= n; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    private sealed class Unobserve(string runId) : IDisposable
    {
        public void Dispose() => Observers.TryRemove(runId, out _);
    }
}
