namespace Flo.Hosting;

/// <summary>
/// A silo's identity, ports and storage: the configuration section <c>Cluster</c> (appsettings.json,
/// <c>CLUSTER__*</c> environment variables, <c>--Cluster:Key=value</c> arguments). Membership timings are Orleans'
/// own <c>ClusterMembershipOptions</c>, bound from <c>Cluster:Membership</c> over the platform's defaults
/// (<see cref="FloMembershipDefaults"/>).
/// </summary>
public sealed class FloSiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Cluster";

    /// <summary>Silo name, unique in the cluster. Default: machine name and silo port.</summary>
    public string? Name { get; set; }

    /// <summary>Orleans cluster id: silos and clients with the same id form one cluster. Default <c>flo</c>.</summary>
    public string ClusterId { get; set; } = "flo";

    /// <summary>Orleans service id: stable across deployments (stored state and reminders are keyed by it). Default <c>flo</c>.</summary>
    public string ServiceId { get; set; } = "flo";

    /// <summary>Ports and addresses (<c>Cluster:Endpoints</c>).</summary>
    public FloEndpointOptions Endpoints { get; set; } = new();

    /// <summary>
    /// The default grain storage, used by users' own grains with <c>[PersistentState("name")]</c>: <c>Flo</c> (the
    /// platform's provider) or <c>AdoNet</c> (<c>Microsoft.Orleans.Persistence.AdoNet</c> on the PostgreSQL of
    /// <c>Cluster:Storage:ConnectionString</c>; needs the Postgres storage provider). The platform's grains always use
    /// their own provider. Default <c>Flo</c>.
    /// </summary>
    public string DefaultGrainStorage { get; set; } = "Flo";

    /// <summary>
    /// Paths of assemblies with more grains for this silo to host (a service's own grains), e.g.
    /// <c>--Cluster:GrainAssemblies:0=/app/MyService.Grains.dll</c>. Default none.
    /// </summary>
    public string[] GrainAssemblies { get; set; } = [];

    /// <summary>Flows (<c>Cluster:Dataflow</c>): node types this silo runs itself.</summary>
    public FloDataflowSiloOptions Dataflow { get; set; } = new();

    /// <summary>OpenTelemetry export (<c>Cluster:Telemetry</c>).</summary>
    public FloTelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Hosting in Kubernetes (<c>Cluster:Kubernetes</c>); off by default.</summary>
    public FloKubernetesOptions Kubernetes { get; set; } = new();

    /// <summary>
    /// How long a stopping silo (SIGTERM) gets to leave membership and deactivate its grains before the host gives up
    /// and stops it ungracefully (the host's <c>HostOptions.ShutdownTimeout</c>). A pod's
    /// <c>terminationGracePeriodSeconds</c> must exceed it, with room for the <c>preStop</c> pause. Default 30.
    /// </summary>
    public int ShutdownTimeoutSeconds { get; set; } = DefaultShutdownTimeoutSeconds;

    /// <summary>Default of <see cref="ShutdownTimeoutSeconds"/>.</summary>
    public const int DefaultShutdownTimeoutSeconds = 30;

    /// <summary>
    /// A shorthand for one read-write token on every namespace (<c>*</c>) in <see cref="Security"/>: required on the
    /// gateway, HTTP (<c>Authorization: Bearer</c>, or the <c>access_token</c> query for event streams; the web dashboard
    /// asks for it and passes it on) and RESP (<c>AUTH</c>). Config <c>Cluster:HttpToken</c>. Default none.
    /// </summary>
    public string? HttpToken { get; set; }

    /// <summary>Access tokens per namespace (<c>Cluster:Security</c>); none by default: the cluster is open.</summary>
    public FloSecurityOptions Security { get; set; } = new();

    /// <summary>TLS on the gateway, between silos, on HTTP and RESP (<c>Cluster:Tls</c>); off by default.</summary>
    public FloTlsOptions Tls { get; set; } = new();
}

/// <summary>Ports and addresses. Section <c>Cluster:Endpoints</c>.</summary>
public sealed class FloEndpointOptions
{
    /// <summary>Address the silo, gateway, HTTP and RESP listen on. Default <c>0.0.0.0</c>.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// The address other silos and clients reach this silo at (written to the membership table). Default: the
    /// listen address when it is a specific one, else loopback for the embedded silo and this host's first address in
    /// cluster mode.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Orleans client gateway port. Default 9000.</summary>
    public int GatewayPort { get; set; } = 9000;

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>HTTP port: API, OpenAPI, health, cluster members. Default 8080.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>RESP (Redis protocol) port; -1 turns RESP off. Default 6379. (0, for this and the HTTP port: the OS picks one.)</summary>
    public int RespPort { get; set; } = 6379;
}

/// <summary>OpenTelemetry export. Section <c>Cluster:Telemetry</c>.</summary>
public sealed class FloTelemetryOptions
{
    /// <summary>OTLP endpoint (e.g. <c>http://otel-collector:4317</c>); export is off when empty. Default empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>service.name</c> resource attribute. Default <c>flo-silo</c>.</summary>
    public string ServiceName { get; set; } = "flo-silo";

    /// <summary>
    /// Whether the silo runs Orleans' runtime dashboard (<c>/orleans/</c>). Default true. Its metric reader observes
    /// Orleans' gauges every second, and two of them walk every activation and every directory cache entry, so its
    /// cost grows with the keys a silo holds (about 14 % of a silo's CPU at 400,000 active keys; bench/RESULTS.md).
    /// A silo that holds many keys and is watched through <c>/metrics</c> or OTLP can turn it off.
    /// </summary>
    public bool OrleansDashboard { get; set; } = true;
}
