using Flo.Calls;

namespace Flo.Queues;

/// <summary>
/// Queues through <see cref="FloClient.Queue"/>: <c>var seq = await client.Queue.EnqueueAsync("tasks", bytes)</c>,
/// <c>var messages = await client.Queue.DequeueAsync("tasks", 10, new DequeueOptions(BlockMs: 30_000))</c>, then
/// <c>AckAsync</c> or <c>NackAsync</c>. Delivery is at least once: a dequeued message is leased, not removed, and comes
/// back when its lease ends unacked. Every call takes a namespace override and a cancellation token; failures are typed:
/// the queue's answers (<see cref="QueueArgumentException"/>, <see cref="MessageNotFoundException"/>,
/// <see cref="LeaseExpiredException"/>, all <see cref="FloException"/>), and for the transport
/// <see cref="CallOutcomeUnknownException"/> when a call failed after it may have executed (timeout, lost connection;
/// never for <c>[ReadOnly]</c>/<c>[Idempotent]</c> reads until their deadline passed), and
/// <see cref="ClusterUnavailableException"/> when no silo accepted it before the deadline (nothing ran). Calls that are
/// safe to resend are resent first (<see cref="FloRetryOptions"/>).
/// </summary>
/// <remarks>
/// Cancelling a blocked dequeue stops the wait; a message handed to it at that moment stays leased to nobody and comes
/// back when its lease ends (at least once, never lost).
/// </remarks>
public sealed class QueueClient
{
    private readonly QueueApi api;
    private readonly string defaultNamespace;

    internal QueueClient(IGrainFactory grains, string defaultNamespace)
    {
        api = new QueueApi(grains);
        this.defaultNamespace = defaultNamespace;
    }

    /// <summary>Enqueues a message; returns its sequence number.</summary>
    public Task<long> EnqueueAsync(string name, byte[] payload, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.EnqueueAsync(options?.Namespace ?? defaultNamespace, name, payload, options?.Priority ?? 0, options?.DelayMs ?? 0, options?.DedupKey, cancellationToken);
    }

    /// <summary>Leases up to <paramref name="count"/> messages, highest priority first; with <see cref="DequeueOptions.BlockMs"/>, waits for them.</summary>
    public Task<IReadOnlyList<QueueMessage>> DequeueAsync(string name, int count = 1, DequeueOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.DequeueAsync(options?.Namespace ?? defaultNamespace, name, count, options?.BlockMs ?? 0, options?.VisibilityTimeoutMs ?? 0, cancellationToken);
    }

    /// <summary>
    /// Acks (removes) leased messages. Unknown sequence numbers throw <see cref="MessageNotFoundException"/>. Acking
    /// nothing (an empty list) returns at once without a call.
    /// </summary>
    public Task AckAsync(string name, IReadOnlyCollection<long> seqs, QueueCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        var ns = options?.Namespace ?? defaultNamespace;
        if (seqs.Count == 0)
        {
            return Nothing(ns, name);
        }
        using var scope = CallScope.Enter(cancellationToken);
        return api.AckAsync(ns, name, seqs, cancellationToken);
    }

    /// <summary>
    /// Releases messages: visible again (now or after a delay), or to the dead-letter queue. Releasing nothing (an empty
    /// list) returns at once without a call.
    /// </summary>
    public Task NackAsync(string name, IReadOnlyCollection<long> seqs, NackOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        var ns = options?.Namespace ?? defaultNamespace;
        if (seqs.Count == 0)
        {
            return Nothing(ns, name);
        }
        using var scope = CallScope.Enter(cancellationToken);
        return api.NackAsync(ns, name, seqs, new QueueNack { ToDlq = options?.ToDlq ?? false, DelayMs = options?.DelayMs ?? 0, Error = options?.Error }, cancellationToken);
    }

    /// <summary>Extends leases; returns the new expiry (Unix ms). A lease that already ended throws <see cref="LeaseExpiredException"/>.</summary>
    public Task<long> TouchAsync(string name, IReadOnlyCollection<long> seqs, TouchOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.TouchAsync(options?.Namespace ?? defaultNamespace, name, seqs, options?.VisibilityTimeoutMs ?? 0, cancellationToken);
    }

    /// <summary>Up to <paramref name="count"/> visible messages, without leasing them.</summary>
    public Task<IReadOnlyList<QueueMessage>> PeekAsync(string name, int count = 10, QueueCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.PeekAsync(options?.Namespace ?? defaultNamespace, name, count, cancellationToken);
    }

    /// <summary>Dead letters with payload, deliveries and last error, in sequence order.</summary>
    public Task<IReadOnlyList<DlqMessage>> DlqListAsync(string name, DlqListOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.DlqListAsync(options?.Namespace ?? defaultNamespace, name, options?.Limit ?? 100, options?.AfterSeq ?? 0, cancellationToken);
    }

    /// <summary>Moves dead letters back to the queue with a fresh delivery count (null or empty: all of them); returns how many moved.</summary>
    public Task<int> DlqRequeueAsync(string name, IReadOnlyCollection<long>? seqs = null, QueueCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.DlqRequeueAsync(options?.Namespace ?? defaultNamespace, name, seqs, cancellationToken);
    }

    /// <summary>Depth, visible, delayed, in flight and DLQ size.</summary>
    public Task<QueueStats> StatsAsync(string name, QueueCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.StatsAsync(options?.Namespace ?? defaultNamespace, name, cancellationToken);
    }

    /// <summary>The queue's settings (max deliveries, default lease, DLQ size, dedup window, partitions).</summary>
    public Task<QueueSettings> GetSettingsAsync(string name, QueueCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GetSettingsAsync(options?.Namespace ?? defaultNamespace, name, cancellationToken);
    }

    /// <summary>Changes the queue's settings; partitions may grow, never shrink.</summary>
    public Task ConfigureAsync(string name, QueueSettings settings, QueueCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ConfigureAsync(options?.Namespace ?? defaultNamespace, name, settings, cancellationToken);
    }

    /// <summary>An ack or nack of nothing: the names are still checked, nothing is sent.</summary>
    private static Task Nothing(string ns, string name)
    {
        Kv.KvKeys.ValidateNamespace(ns);
        QueueLimits.ValidateName(name);
        return Task.CompletedTask;
    }
}
