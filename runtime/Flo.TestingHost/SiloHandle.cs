using Flo.Runtime.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.TestingHost;

/// <summary>One in-process silo of a <see cref="TestCluster"/>.</summary>
public sealed class SiloHandle
{
    internal SiloHandle(WebApplication app, string name, int gatewayPort, int httpPort)
    {
        App = app;
        Details = app.Services.GetRequiredService<SiloDetails>();
        Name = name;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
    }

    internal WebApplication App { get; }

    private SiloDetails Details { get; }

    /// <summary>The silo's name.</summary>
    public string Name { get; }

    /// <summary>Gateway port.</summary>
    public int GatewayPort { get; }

    /// <summary>HTTP port.</summary>
    public int HttpPort { get; }

    /// <summary>Gateway endpoint as host:port.</summary>
    public string GatewayEndpoint => $"127.0.0.1:{GatewayPort}";

    /// <summary>The silo's services.</summary>
    public IServiceProvider Services => App.Services;

    /// <summary>The silo's grain factory (calls made from inside the silo).</summary>
    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's status.</summary>
    public SiloStatus Status => Details.Status;

    /// <summary>The silo's view of the cluster.</summary>
    public Runtime.Membership.IClusterMembership Membership => Services.GetRequiredService<Runtime.Membership.IClusterMembership>();

    /// <summary>This incarnation's address (null before it joined).</summary>
    public Runtime.Membership.SiloAddress? Address => Details.Address;

    /// <summary>Whether the silo is still running.</summary>
    public bool IsRunning { get; internal set; } = true;
}
