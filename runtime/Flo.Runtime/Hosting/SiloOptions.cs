namespace Flo.Runtime.Hosting;

/// <summary>Identity of the silo and its cluster. Section <c>Cluster</c>.</summary>
public sealed class SiloOptions
{
    /// <summary>Silo name, unique in the cluster. Default: machine name and gateway port.</summary>
    public string? Name { get; set; }

    /// <summary>Cluster id: silos with the same id form one cluster. Default <c>dev</c>.</summary>
    public string ClusterId { get; set; } = "dev";

    /// <summary>Service id: stable across deployments of the same service. Default <c>flo</c>.</summary>
    public string ServiceId { get; set; } = "flo";
}

/// <summary>Ports and addresses. Section <c>Cluster:Endpoints</c>.</summary>
public sealed class EndpointOptions
{
    /// <summary>Address to listen on. Default <c>0.0.0.0</c> (all IPv4 interfaces).</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Client gateway port. Default 9000.</summary>
    public int GatewayPort { get; set; } = 9000;

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>HTTP port (health, management, metrics). Default 8080.</summary>
    public int HttpPort { get; set; } = 8080;
}

/// <summary>Messaging. Section <c>Cluster:Messaging</c>.</summary>
public sealed class MessagingOptions
{
    /// <summary>How long a grain call waits for its response. Default 30 s.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest frame accepted; a bigger one closes the connection. Default 16 MiB.</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a new connection may take to send its preamble. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long opening a connection to another silo may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times silos may forward a request towards a grain's owner while their membership views differ; past
    /// that the caller gets an Unavailable response (never executed, safe to retry). Default 2, as Orleans.
    /// </summary>
    public int MaxForwardCount { get; set; } = 2;
}

/// <summary>Activation lifetime. Section <c>Cluster:GrainCollection</c>.</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>An activation idle this long is deactivated. Default 15 min.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for. Default 1 min.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Limit for reading state and OnActivateAsync. Default 30 s.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for OnDeactivateAsync. Default 30 s.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>OpenTelemetry export. Section <c>Cluster:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    /// <summary>OTLP endpoint (e.g. <c>http://otel-collector:4317</c>); export is off when empty. Default empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>service.name resource attribute. Default <c>flo-silo</c>.</summary>
    public string ServiceName { get; set; } = "flo-silo";
}
