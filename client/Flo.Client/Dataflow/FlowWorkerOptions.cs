namespace Flo.Dataflow;

/// <summary>How a flow worker runs node types in this process.</summary>
/// <param name="Concurrency">
/// Node generations run at once (default 64). A streaming pipeline runs all its nodes at once (each reads its
/// producer while it streams), so this must be at least the widest pipeline a flow has.
/// </param>
/// <param name="CpuConcurrency">CPU-bound node types (<see cref="NodeOptions.CpuBound"/>) run at once (0: one per core).</param>
/// <param name="StopTimeout">How long stopping waits for running generations before handing them back (default 5 s).</param>
/// <param name="WorkerId">The worker's id (default: host, process and a random suffix).</param>
/// <param name="Namespace">Namespace of the flows it serves; null for the client's default.</param>
/// <param name="ValueByReferenceBytes">
/// An output port whose JSON is larger (UTF-8 bytes) is stored in the namespace's KV store and passed by reference
/// (<see cref="FlowValueRefs"/>); default 64 KiB, 0 or less: never. Values stored so are at most the KV value limit (1 MiB).
/// </param>
public sealed record FlowWorkerOptions(
    int Concurrency = 64,
    int CpuConcurrency = 0,
    TimeSpan? StopTimeout = null,
    string? WorkerId = null,
    string? Namespace = null,
    int ValueByReferenceBytes = FlowValueRefs.DefaultThresholdBytes);
