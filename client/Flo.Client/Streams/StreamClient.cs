namespace Flo.Streams;

/// <summary>
/// Streams through <see cref="FloClient.Stream"/>: <c>var id = await client.Stream.AppendAsync("events", bytes)</c>,
/// <c>await client.Stream.ReadAsync("events", new StreamReadOptions(Tail: true, Count: 10))</c>, or follow with
/// <c>await foreach (var r in client.Stream.SubscribeAsync("events"))</c>. Every call takes a namespace override and a
/// cancellation token; failures are typed (<see cref="Flo.Kv.InvalidArgumentException"/>, <see cref="SiloUnavailableException"/>,
/// <see cref="GrainCallTimeoutException"/>).
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
        => api.AppendAsync(options?.Namespace ?? defaultNamespace, name, payload, options?.PartitionKey, options?.Headers, cancellationToken);

    /// <summary>Reads records from a position, from the start, or from the tail; with <see cref="StreamReadOptions.BlockMs"/>, waits for them.</summary>
    public Task<IReadOnlyList<StreamRecord>> ReadAsync(string name, StreamReadOptions? options = null, CancellationToken cancellationToken = default)
        => api.ReadAsync(options?.Namespace ?? defaultNamespace, name, options?.Start, options?.Tail ?? false, options?.Count ?? 100, options?.BlockMs ?? 0, options?.Partition, cancellationToken);

    /// <summary>Every record from a position (default: from now on), as it arrives, until cancelled.</summary>
    public IAsyncEnumerable<StreamRecord> SubscribeAsync(string name, StreamSubscribeOptions? options = null, CancellationToken cancellationToken = default)
        => api.SubscribeAsync(options?.Namespace ?? defaultNamespace, name, options?.Start, cancellationToken);

    /// <summary>Length, first and last id, bytes and trimmed count.</summary>
    public Task<StreamInfo> InfoAsync(string name, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
        => api.InfoAsync(options?.Namespace ?? defaultNamespace, name, cancellationToken);

    /// <summary>The stream's settings (partitions, retention).</summary>
    public Task<StreamSettings> GetSettingsAsync(string name, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
        => api.GetSettingsAsync(options?.Namespace ?? defaultNamespace, name, cancellationToken);

    /// <summary>Changes partitions (grow only) and retention (count, age, bytes; applied at once).</summary>
    public Task ConfigureAsync(string name, StreamSettings settings, StreamCallOptions? options = null, CancellationToken cancellationToken = default)
        => api.ConfigureAsync(options?.Namespace ?? defaultNamespace, name, settings, cancellationToken);
}
