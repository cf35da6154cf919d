namespace Flo.Client;

/// <summary>How a client reaches the cluster. Immutable; use <c>with</c> to change a copy.</summary>
public sealed record ClusterClientOptions
{
    /// <summary>Defaults: <c>localhost:9000</c>, 30 s response timeout.</summary>
    public static ClusterClientOptions Default { get; } = new();

    /// <summary>Gateway endpoints as <c>host:port</c>; tried in order until one answers. Default <c>localhost:9000</c>.</summary>
    public IReadOnlyList<string> Gateways { get; init; } = ["localhost:9000"];

    /// <summary>How long a call waits for its response. Default 30 s.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long connecting to one gateway may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest frame accepted from the gateway. Default 16 MiB.</summary>
    public int MaxMessageSize { get; init; } = 16 * 1024 * 1024;
}
