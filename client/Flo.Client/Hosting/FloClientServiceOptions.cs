namespace Flo.Hosting;

/// <summary>
/// What <c>services.AddFloClient(...)</c> needs: where the cluster is (a static <see cref="Gateways"/> list, or the
/// cluster's PostgreSQL membership table through <see cref="MembershipConnectionString"/>), its identity, and the
/// client's <see cref="FloClientOptions"/>. Bindable from configuration (section <c>Flo</c> by convention:
/// <c>Flo:Gateways:0=localhost:9000</c>, <c>Flo:MembershipConnectionString=...</c>, <c>Flo:ResponseTimeout=00:00:30</c>).
/// </summary>
public sealed class FloClientServiceOptions
{
    /// <summary>
    /// Gateways as <c>host:port</c> (<c>localhost:9000</c>, <c>[::1]:9000</c>); host names are resolved when the client
    /// starts. The client learns nothing beyond this list (static clustering): name several for failover. Either this or
    /// <see cref="MembershipConnectionString"/>.
    /// </summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>
    /// Connection string of the cluster's PostgreSQL database (the ADO.NET membership table the silos use): the client
    /// reads the live gateways from it and follows the cluster as silos come and go. Either this or <see cref="Gateways"/>.
    /// </summary>
    public string? MembershipConnectionString { get; set; }

    /// <summary>The cluster id the silos run with. Default <c>flo</c>.</summary>
    public string ClusterId { get; set; } = FloClientOptions.Default.ClusterId;

    /// <summary>The service id the silos run with. Default <c>flo</c>.</summary>
    public string ServiceId { get; set; } = FloClientOptions.Default.ServiceId;

    /// <summary>Namespace used when a call does not name one. Default <c>default</c>.</summary>
    public string Namespace { get; set; } = FloClientOptions.Default.Namespace;

    /// <summary>How long one attempt of a call waits for its response. Default 3 s (see <see cref="FloClientOptions.ResponseTimeout"/>).</summary>
    public TimeSpan ResponseTimeout { get; set; } = FloClientOptions.Default.ResponseTimeout;

    /// <summary>Which calls are resent and for how long. Default <see cref="FloRetryOptions.Default"/>.</summary>
    public FloRetryOptions Retry { get; set; } = FloRetryOptions.Default;

    /// <summary>
    /// With <see cref="Gateways"/>: also use the other gateways the cluster's membership lists (see
    /// <see cref="FloClientOptions.LearnGateways"/>). Default true.
    /// </summary>
    public bool LearnGateways { get; set; } = FloClientOptions.Default.LearnGateways;

    /// <summary>The access token sent with every call (see <see cref="FloClientOptions.Token"/>). Default none.</summary>
    public string? Token { get; set; }

    /// <summary>TLS to the gateways (see <see cref="FloClientOptions.Tls"/>). Default null: plain TCP.</summary>
    public FloClientTlsOptions? Tls { get; set; }

    /// <summary>The <see cref="FloClientOptions"/> these settings make.</summary>
    public FloClientOptions ToClientOptions() => new()
    {
        ClusterId = ClusterId,
        ServiceId = ServiceId,
        Namespace = Namespace,
        ResponseTimeout = ResponseTimeout,
        Retry = Retry,
        LearnGateways = LearnGateways,
        Token = string.IsNullOrEmpty(Token) ? null : Token,
        Tls = Tls,
    };

    /// <summary>
    /// Throws <see cref="ArgumentException"/> listing every problem: no gateways and no membership connection string,
    /// both, a gateway that is not host:port, and invalid client options. <paramref name="needsCluster"/> is false in a
    /// silo's host, where the client rides on the silo and needs no gateways.
    /// </summary>
    internal void Validate(bool needsCluster)
    {
        var problems = new List<string>();
        if (needsCluster)
        {
            var gateways = Gateways ?? [];
            var hasMembership = !string.IsNullOrWhiteSpace(MembershipConnectionString);
            if (gateways.Count == 0 && !hasMembership)
            {
                problems.Add("name the cluster: set Gateways (host:port, e.g. localhost:9000) or MembershipConnectionString (the cluster's PostgreSQL membership database)");
            }
            else if (gateways.Count > 0 && hasMembership)
            {
                problems.Add("set either Gateways or MembershipConnectionString, not both");
            }
            foreach (var gateway in gateways)
            {
                if (!GatewayAddress.TryParse(gateway, out _, out _, out var error))
                {
                    problems.Add(error);
                }
            }
        }
        try
        {
            ToClientOptions().Validate();
        }
        catch (ArgumentException exception)
        {
            problems.Add(exception.Message);
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid Flo client options: {string.Join("; ", problems)}.");
        }
    }
}
