namespace Flo;

/// <summary>Options of a <see cref="FloClient"/>. Immutable; use <c>with</c>.</summary>
public sealed record FloClientOptions
{
    /// <summary>Defaults: namespace <c>default</c>, 3 s response timeout, cluster and service <c>flo</c>, retries on.</summary>
    public static FloClientOptions Default { get; } = new();

    /// <summary>Namespace used when a call does not name one. Default <c>default</c>.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>
    /// How long one attempt of a call waits for its response (Orleans' <c>ClientMessagingOptions.ResponseTimeout</c>).
    /// Default 3 s: Orleans does not fail the calls in flight through a gateway that died, they wait for this timeout,
    /// so it bounds how long a client takes to carry on after a silo is killed (idempotent calls are then resent;
    /// measured in bench/RESULTS.md).
    /// Calls that block inside a grain (blocking gets, long-poll dequeues, blocking stream reads) carry their own
    /// timeout of 15 s (<see cref="GrainWaits"/>). Raise it for slow storage.
    /// </summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The Orleans cluster id the silos run with (configuration <c>Cluster:ClusterId</c>). Default <c>flo</c>.</summary>
    public string ClusterId { get; init; } = "flo";

    /// <summary>The Orleans service id the silos run with (configuration <c>Cluster:ServiceId</c>). Default <c>flo</c>.</summary>
    public string ServiceId { get; init; } = "flo";

    /// <summary>
    /// Whether a client given gateways (<see cref="FloClient.ConnectAsync"/>) also uses the other gateways the cluster's
    /// membership lists, so it carries on when the ones it was given die. Turn it off when the silos' own addresses are
    /// not reachable from the client (a client outside Kubernetes reaching the gateways through one load balancer).
    /// Default true.
    /// </summary>
    public bool LearnGateways { get; init; } = true;

    /// <summary>Which calls are resent and for how long. Default <see cref="FloRetryOptions.Default"/>.</summary>
    public FloRetryOptions Retry { get; init; } = FloRetryOptions.Default;

    /// <summary>
    /// The access token sent with every call, for clusters that require one (<c>Cluster:Security</c>): the token's grant
    /// decides which namespaces the client may read or write; a call it does not cover fails with
    /// <see cref="FloAccessDeniedException"/> (never resent). Default none.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>TLS to the gateways, for silos run with <c>Cluster:Tls:Enabled</c>. Default null: plain TCP.</summary>
    public FloClientTlsOptions? Tls { get; init; }

    /// <summary>
    /// How long <see cref="FloClient.ConnectAsync"/> tries to complete a gateway handshake before it gives up with
    /// <see cref="FloConnectException"/>. Orleans itself retries a gateway that closes connections (as a TLS silo does to
    /// a plain client) without end. Default 30 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        Kv.KvKeys.ValidateNamespace(Namespace);
        if (ResponseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ResponseTimeout), ResponseTimeout, "The response timeout must be positive.");
        }
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException("ClusterId must not be empty.", nameof(ClusterId));
        }
        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new ArgumentException("ServiceId must not be empty.", nameof(ServiceId));
        }
        ArgumentNullException.ThrowIfNull(Retry);
        Retry.Validate();
        if (Token is { Length: 0 })
        {
            throw new ArgumentException("Token must not be empty (null: no token).", nameof(Token));
        }
        Tls?.Validate();
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "The connect timeout must be positive.");
        }
    }
}
