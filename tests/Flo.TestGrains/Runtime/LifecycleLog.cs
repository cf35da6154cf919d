using System.Collections.Concurrent;

namespace Flo.TestGrains.Runtime;

/// <summary>
/// Lifecycle events of test grains, process-wide, so tests can wait for an event instead of sleeping.
/// </summary>
public static class LifecycleLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Events = new();
    private static readonly ConcurrentDictionary<(string, string), TaskCompletionSource> Waiters = new();

    public static void Record(string grain, string evt)
    {
        Events.GetOrAdd(grain, _ => new()).Enqueue(evt);
        var kind = evt.Split(':')[0];
        Waiters.GetOrAdd((grain, kind), _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public static IReadOnlyList<string> Of(string grain) => Events.TryGetValue(grain, out var q) ? q.ToArray() : [];

    /// <summary>Completes when the grain has recorded an event of this kind (e.g. "deactivate").</summary>
    public static Task WhenRecorded(string grain, string kind)
        => Waiters.GetOrAdd((grain, kind), _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
}
