using Flo.Calls;

namespace Flo.Streams;

/// <summary>
/// Streams through <see cref="FloClient.Stream"/>: <c>var id = await client.Stream.AppendAsync("events", bytes)</c>,
/// <c>await client.Stream.ReadAsync("events", new StreamReadOptions(Tail: true, Count: 10))</c>, or follow with
/// <c>await foreach (var r in client.Stream.SubscribeAsync("events"))</c>. Every call takes a namespace override and a
/// cancellation token; failures are typed: the stream's answers (<see cref="StreamArgumentException"/>,
/// <see cref="GroupNotFoundException"/>, all <see cref="FloException"/>), and for the transport
/// <see cref="CallOutcomeUnknownException"/> when a call failed after it may have executed (timeout, lost connection;
/// never for <c>[ReadOnly]</c>/<c>[Idempotent]</c> reads until their deadline passed), and
/// <see cref="ClusterUnavailableException"/> when no silo accepted it before the deadline (nothing ran). Calls that are
/// safe to resend are resent first (<see cref="FloRetryOptions"/>).
/// </summary>
public sealed class StreamClient
{
    private readonly StreamApi api;
    private readonly string defaultNamespace;

    internal StreamClient(IGrainFactory grains, string defaultNamespace)
    {
        api = new StreamApi(grains);
        this.defaultNamespace = defaultNamespace;
    }

    /// <summary>Appends a record; returns its id (<c>ms-seq</c>) once it is durable.</summary>
    public Task<StreamId> AppendAsync(string name, byte[] payload, AppendOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.AppendAsync(options?.Namespace ?? defaultNamespace, name, payload, options?.PartitionKey, options?.Headers, cancellationToken);
    }

    /// <summary>Reads records from a position, from the start, or from the tail; with <see cref="StreamReadOptions.BlockMs"/>, waits for them.</summary>
    public Task<IReadOnlyList<StreamRecord>> ReadAsync(string name, StreamReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ReadAsync(options?.Namespace ?? defaultNamespace, name, options?.Start, options?.Tail ?? false, options?.Count ?? 100, options?.BlockMs ?? 0, options?.Partition, cancellationToken);
    }

    /// <summary>Every record from a position (default: from now on), as it arrives, until cancelled.</summary>
    public IAsyncEnumerable<StreamRecord> SubscribeAsync(string name, StreamSubscribeOptions? options = null, CancellationToken cancellationToken = default)
        => api.SubscribeAsync(options?.Namespace ?? defaultNamespace, name, options?.Start, cancellationToken);

    /// <summary>Length, first and last id, bytes and trimmed count.</summary>
    public Task<StreamInfo> InfoAsync(string name, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.InfoAsync(options?.Namespace ?? defaultNamespace, name, cancellationToken);
    }

    /// <summary>The stream's settings (partitions, retention).</summary>
    public Task<StreamSettings> GetSettingsAsync(string name, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GetSettingsAsync(options?.Namespace ?? defaultNamespace, name, cancellationToken);
    }

    /// <summary>Changes partitions (grow only) and retention (count, age, bytes; applied at once).</summary>
    public Task ConfigureAsync(string name, StreamSettings settings, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ConfigureAsync(options?.Namespace ?? defaultNamespace, name, settings, cancellationToken);
    }

    /// <summary>Joins a consumer group, creating it if needed (by default it then delivers only records appended from now on).</summary>
    public Task GroupJoinAsync(string name, string group, string consumer, StreamGroupJoinOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupJoinAsync(options?.Namespace ?? defaultNamespace, name, group, consumer, options?.StartAfter, options?.Settings, cancellationToken);
    }

    /// <summary>Delivers records to one consumer of the group (redeliveries first); with <see cref="StreamGroupReadOptions.BlockMs"/>, waits for them.</summary>
    public Task<IReadOnlyList<StreamRecord>> GroupReadAsync(string name, string group, string consumer, StreamGroupReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupReadAsync(options?.Namespace ?? defaultNamespace, name, group, consumer, options?.Count ?? 100, options?.BlockMs ?? 0, cancellationToken);
    }

    /// <summary>Acks delivered records; returns how many were pending. Acking nothing returns 0 at once without a call.</summary>
    public Task<int> GroupAckAsync(string name, string group, IEnumerable<StreamRecord> records, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        return AckKeysAsync(options?.Namespace ?? defaultNamespace, name, group, [.. records.Select(r => new StreamPendingKey(r.Partition, r.Id))], cancellationToken);
    }

    /// <summary>
    /// Acks records by id (of partition 0, or of the partition given); returns how many were pending. Acking nothing
    /// returns 0 at once without a call.
    /// </summary>
    public Task<int> GroupAckAsync(string name, string group, IEnumerable<StreamId> ids, int partition = 0, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return AckKeysAsync(options?.Namespace ?? defaultNamespace, name, group, [.. ids.Select(id => new StreamPendingKey(partition, id))], cancellationToken);
    }

    /// <summary>Pending entries (delivered, unacked), oldest delivery first; optionally of one consumer.</summary>
    public Task<StreamPendingEntry[]> GroupPendingAsync(string name, string group, string? consumer = null, int count = 100, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupPendingAsync(options?.Namespace ?? defaultNamespace, name, group, consumer, count, cancellationToken);
    }

    /// <summary>Takes over pending records idle at least <paramref name="minIdleMs"/> (XCLAIM); returns them with their delivery counts.</summary>
    public Task<StreamRecord[]> GroupClaimAsync(string name, string group, string consumer, long minIdleMs, IEnumerable<StreamPendingKey> keys, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupClaimAsync(options?.Namespace ?? defaultNamespace, name, group, consumer, minIdleMs, [.. keys], cancellationToken);
    }

    /// <summary>Takes over up to <paramref name="count"/> pending records idle at least <paramref name="minIdleMs"/> (XAUTOCLAIM).</summary>
    public Task<StreamRecord[]> GroupAutoClaimAsync(string name, string group, string consumer, long minIdleMs, int count = 100, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupAutoClaimAsync(options?.Namespace ?? defaultNamespace, name, group, consumer, minIdleMs, count, cancellationToken);
    }

    /// <summary>Leaves the group; the consumer's pending records go to the next consumer that reads.</summary>
    public Task<bool> GroupLeaveAsync(string name, string group, string consumer, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupLeaveAsync(options?.Namespace ?? defaultNamespace, name, group, consumer, cancellationToken);
    }

    /// <summary>Consumers, pending, lag, dead letters and cursors of a group.</summary>
    public Task<StreamGroupInfo> GroupInfoAsync(string name, string group, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupInfoAsync(options?.Namespace ?? defaultNamespace, name, group, cancellationToken);
    }

    /// <summary>The group's dead letters: records delivered the maximum number of times without an ack.</summary>
    public Task<StreamPendingEntry[]> GroupDeadLettersAsync(string name, string group, int count = 100, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupDeadLettersAsync(options?.Namespace ?? defaultNamespace, name, group, count, cancellationToken);
    }

    private Task<int> AckKeysAsync(string ns, string name, string group, StreamPendingKey[] keys, CancellationToken cancellationToken)
    {
        if (keys.Length == 0)
        {
            Flo.Kv.KvKeys.ValidateNamespace(ns);
            StreamLimits.ValidateName(name);
            StreamLimits.ValidateName(group);
            return Task.FromResult(0);
        }
        using var scope = CallScope.Enter(cancellationToken);
        return api.GroupAckAsync(ns, name, group, keys, cancellationToken);
    }
}
