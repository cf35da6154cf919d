using Flo.Client;

namespace Flo;

/// <summary>
/// The one client of the platform (mirrors the SDK's <c>FloClient("localhost:9000")</c>). KV, queues, streams and
/// actions are added as properties by their features; <see cref="Grains"/> reaches grains directly.
/// </summary>
public sealed class FloClient : IAsyncDisposable
{
    private readonly ClusterClient cluster;

    private FloClient(ClusterClient cluster, FloClientOptions options)
    {
        this.cluster = cluster;
        Options = options;
        Flo.Kv.KvKeys.ValidateNamespace(options.Namespace);
        Kv = new Flo.Kv.KvClient(cluster, options.Namespace);
        Queue = new Flo.Queues.QueueClient(cluster, options.Namespace);
        Stream = new Flo.Streams.StreamClient(cluster, options.Namespace);
    }

    /// <summary>The KV store.</summary>
    public Flo.Kv.KvClient Kv { get; }

    /// <summary>Queues with priority, delay, leases, dead letters and long polls.</summary>
    public Flo.Queues.QueueClient Queue { get; }

    /// <summary>Streams: append-only logs with time-based ids, reads from a position or the tail, subscriptions.</summary>
    public Flo.Streams.StreamClient Stream { get; }

    /// <summary>The options in use.</summary>
    public FloClientOptions Options { get; }

    /// <summary>Grain access for advanced use.</summary>
    public IGrainFactory Grains => cluster;

    /// <summary>Connects to one gateway (<c>"localhost:9000"</c>) or a comma-separated list of them.</summary>
    public static async Task<FloClient> ConnectAsync(string gateways = "localhost:9000", FloClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= FloClientOptions.Default;
        var list = gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Flo.Kv.KvKeys.ValidateNamespace(options.Namespace);
        var cluster = await ClusterClient.ConnectAsync(new ClusterClientOptions { Gateways = list, ResponseTimeout = options.ResponseTimeout }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new FloClient(cluster, options);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}
