namespace Flo.Queues;

/// <summary>Options of an enqueue (seed: <c>EnqueueOptions(priority, delay_ms)</c>, plus a dedup key).</summary>
/// <param name="Priority">Higher is served first; default 0.</param>
/// <param name="DelayMs">Invisible for this long (0: visible at once; at most 7 days).</param>
/// <param name="DedupKey">A second enqueue with this key within the queue's dedup window (default 5 min) returns the first sequence number and stores nothing.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record EnqueueOptions(int Priority = 0, long DelayMs = 0, string? DedupKey = null, string? Namespace = null);

/// <summary>Options of a dequeue (seed: <c>DequeueOptions(block_ms)</c>, plus the lease length).</summary>
/// <param name="BlockMs">When nothing is visible, wait up to this long (0: answer at once; at most 300,000).</param>
/// <param name="VisibilityTimeoutMs">Lease length; 0 for the queue's default (30 s).</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record DequeueOptions(int BlockMs = 0, long VisibilityTimeoutMs = 0, string? Namespace = null);

/// <summary>Options of a nack (seed: <c>NackOptions(to_dlq)</c>, plus a delay and an error text).</summary>
/// <param name="ToDlq">Dead-letter at once instead of making the messages visible again.</param>
/// <param name="DelayMs">Visible again after this long (0: at once).</param>
/// <param name="Error">Kept with the message and shown by <c>DlqListAsync</c>.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record NackOptions(bool ToDlq = false, long DelayMs = 0, string? Error = null, string? Namespace = null);

/// <summary>Options of a touch.</summary>
/// <param name="VisibilityTimeoutMs">New lease length from now; 0 for each lease's own length.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record TouchOptions(long VisibilityTimeoutMs = 0, string? Namespace = null);

/// <summary>Options of a DLQ list.</summary>
/// <param name="Limit">Most dead letters returned (1 to 1,000; default 100).</param>
/// <param name="AfterSeq">Continue after this sequence number (the last one of the previous page); 0 from the start.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record DlqListOptions(int Limit = 100, long AfterSeq = 0, string? Namespace = null);

/// <summary>Options of calls that only take a namespace.</summary>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record QueueCallOptions(string? Namespace = null);
