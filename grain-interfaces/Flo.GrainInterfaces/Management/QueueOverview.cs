using Flo.Queues;

namespace Flo.Management;

/// <summary>A queue's name and its counts (depth, in flight, DLQ) summed over its partitions.</summary>
/// <param name="Name">The queue.</param>
/// <param name="Stats">Its counts.</param>
public sealed record QueueOverview(string Name, QueueStats Stats);
