using System.Collections.Concurrent;

namespace Flo;

/// <summary>
/// How many partitions each queue or stream has, as its partition 0 said at most 10 s ago: every call needs it to route,
/// and it only ever grows, so a short-lived copy is enough (a caller that has not yet seen a new partition simply does
/// not use it for a few seconds).
/// </summary>
internal sealed class PartitionCountCache
{
    private const long TtlMs = 10_000;
    private readonly ConcurrentDictionary<(string Ns, string Name), (int Partitions, long ReadAt)> counts = new();

    /// <summary>The cached count, or the one <paramref name="read"/> returns now.</summary>
    public async ValueTask<int> GetAsync(string ns, string name, Func<Task<int>> read, CancellationToken cancellationToken)
    {
        if (counts.TryGetValue((ns, name), out var known) && Environment.TickCount64 - known.ReadAt < TtlMs)
        {
            return known.Partitions;
        }
        var partitions = await read().WaitAsync(cancellationToken).ConfigureAwait(false);
        Set(ns, name, partitions);
        return partitions;
    }

    /// <summary>Records a count just configured.</summary>
    public void Set(string ns, string name, int partitions) => counts[(ns, name)] = (partitions, Environment.TickCount64);
}
