using System.Collections.Concurrent;

namespace Flo.Dataflow.Tests.Infrastructure;

/// <summary>What node code printed (the seed's <c>print</c>), in order; nodes run on worker threads, so it is thread-safe.</summary>
public sealed class PrintLog
{
    private readonly ConcurrentQueue<string> lines = new();

    public void Print(string line) => lines.Enqueue(line);

    public IReadOnlyList<string> Lines => [.. lines];
}
