namespace Flo.Client;

/// <summary>How a client reaches the cluster. Immutable; use <c>with</c> to change a copy.</summary>
public sealed record ClusterClientOptions
{
    /// <summary>Defaults: <c>localhost:9000</c>, 30 s response timeout, 3 retries.</summary>
    public static ClusterClientOptions Default { get; } = new();

    /// <summary>
    /// Gateway endpoints as <c>host:port</c>; tried in order until one answers. Default <c>localhost:9000</c>. These
    /// seeds are always kept; the gateways the cluster advertises are added to them and dropped again when the
    /// cluster stops listing them.
    /// </summary>
    public IReadOnlyList<string> Gateways { get; init; } = ["localhost:9000"];

    /// <summary>
    /// How long a call may take, all attempts and the delays between them included. Default 30 s.
    /// </summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long connecting to one gateway may take (never longer than the call's remaining time). Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest frame accepted from the gateway. Default 16 MiB.</summary>
    public int MaxMessageSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// How many times a failed call is resent, on another gateway when its own is gone. Only calls that certainly did
    /// not run (never sent, or answered <c>Unavailable</c>) and <c>[Idempotent]</c> or <c>[ReadOnly]</c> calls whose
    /// connection was lost while pending are resent. Default 3; 0 disables retries.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Delay before the first resend; doubled for each further one, up to <see cref="MaxRetryBackoff"/>. Default 100 ms.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between two attempts. Default 2 s.</summary>
    public TimeSpan MaxRetryBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the client asks its gateway for the current gateway list while connected (it also learns it at each
    /// connect). Default 60 s; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan GatewayListRefreshPeriod { get; init; } = TimeSpan.FromSeconds(60);
}
