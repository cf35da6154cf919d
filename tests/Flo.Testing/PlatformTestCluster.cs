using System.Net;
using Flo.Endpoints;
using Flo.Hosting;
using Flo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Flo.Testing;

/// <summary>What a platform test cluster runs on.</summary>
public sealed record PlatformClusterOptions
{
    /// <summary>Silos started at deploy.</summary>
    public short Silos { get; init; } = 1;

    /// <summary>The platform's storage (and, with Postgres, membership and reminders in the same database).</summary>
    public FloStorageProvider Storage { get; init; } = FloStorageProvider.Memory;

    /// <summary>PostgreSQL connection string (Storage = Postgres).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>More <c>Cluster:*</c> (or any) configuration for every silo.</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>Extra services for every silo (e.g. a fake <see cref="TimeProvider"/>), by a configurator type.</summary>
    public Type? ExtraSiloConfigurator { get; init; }

    /// <summary>
    /// Test membership timings (<see cref="PlatformTestCluster.FastMembership"/>); false: the platform's production
    /// defaults (benchmarks). Default true.
    /// </summary>
    public bool FastMembership { get; init; } = true;

    /// <summary>
    /// The access token the test cluster's own client and <see cref="PlatformTestCluster.ConnectAsync"/> (without
    /// options) send, for clusters with <c>Cluster:Security:Tokens</c>. Default none.
    /// </summary>
    public string? ClientToken { get; init; }
}

/// <summary>
/// The platform on an Orleans classic <see cref="TestCluster"/> (TCP transport: real sockets for the gateway, HTTP and RESP) whose silos
/// host the platform exactly as the silo executable does (<see cref="FloSiloBuilderExtensions.AddFloPlatform"/>, the
/// web side with <see cref="FloSiloWebExtensions.AddFloSiloWeb"/> on OS-chosen ports), plus what platform tests need:
/// each silo's HTTP/RESP ports and gateway, and <see cref="FloClient"/>s connected through real gateways.
/// </summary>
public sealed class PlatformTestCluster : IAsyncDisposable
{
    private readonly string dataDirectory;

    private PlatformTestCluster(TestCluster cluster, PlatformClusterOptions options, string dataDirectory, FloClientTlsOptions? clientTls)
    {
        Cluster = cluster;
        Options = options;
        this.dataDirectory = dataDirectory;
        ClientTls = clientTls;
    }

    /// <summary>The Orleans test cluster.</summary>
    public TestCluster Cluster { get; }

    /// <summary>What the cluster runs on.</summary>
    public PlatformClusterOptions Options { get; }

    /// <summary>The silos (started, stopped and killed ones alike: see <see cref="SiloHandle.IsActive"/>).</summary>
    public IReadOnlyList<SiloHandle> Silos => Cluster.Silos;

    /// <summary>The silos that are running.</summary>
    public IReadOnlyList<SiloHandle> ActiveSilos => [.. Cluster.GetActiveSilos()];

    /// <summary>Starts the silos and the test cluster's own client.</summary>
    public static async Task<PlatformTestCluster> DeployAsync(PlatformClusterOptions options)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "flo-test-" + Guid.NewGuid().ToString("N")[..12]);
        var builder = new TestClusterBuilder(options.Silos);
        builder.Options.ServiceId = "flo";
        builder.Options.ClusterId = "flo-test-" + Guid.NewGuid().ToString("N")[..8];
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        // Logs go to the test output on failure, not to a file per silo in the working directory.
        builder.Options.ConfigureFileLogging = false;
        builder.Options.UseTestClusterMembership = options.Storage != FloStorageProvider.Postgres;
        var configuration = new Dictionary<string, string?>
        {
            ["Cluster:Endpoints:ListenAddress"] = "127.0.0.1",
            ["Cluster:Endpoints:HttpPort"] = "0",
            ["Cluster:Endpoints:RespPort"] = "0",
            ["Cluster:Storage:Provider"] = options.Storage.ToString(),
            ["Cluster:Storage:DataDirectory"] = dataDirectory,
            ["Cluster:Storage:ConnectionString"] = options.ConnectionString,
            ["Cluster:Storage:MemoryStoreName"] = builder.Options.ClusterId,
            ["Cluster:ClusterId"] = builder.Options.ClusterId,
            ["Cluster:ServiceId"] = builder.Options.ServiceId,
        };
        foreach (var (key, value) in options.FastMembership ? FastMembership : new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        foreach (var (key, value) in options.Configuration)
        {
            configuration[key] = value;
        }
        configuration[PlatformClientConfigurator.ClientTokenKey] = options.ClientToken;
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(configuration));
        builder.AddSiloBuilderConfigurator<PlatformSiloConfigurator>();
        if (options.ExtraSiloConfigurator is { } extra)
        {
            builder.Options.SiloBuilderConfiguratorTypes.Add(extra.AssemblyQualifiedName!);
        }
        builder.AddClientBuilderConfigurator<PlatformClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return new PlatformTestCluster(cluster, options, dataDirectory, PlatformClientConfigurator.TlsOf(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build()));
    }

    /// <summary>
    /// Membership timings for tests: a killed silo is declared dead within a few seconds (as in production, see
    /// <see cref="FloMembershipDefaults"/>), reminders may tick every second.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> FastMembership { get; } = new Dictionary<string, string?>
    {
        ["Cluster:Membership:ProbeTimeout"] = "00:00:01",
        ["Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Cluster:Membership:TableRefreshTimeout"] = "00:00:02",
        ["Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:02",
    };

    /// <summary>The test cluster's own client as a <see cref="FloClient"/>.</summary>
    public FloClient Client => client ??= new FloClient(Cluster.Client);

    private FloClient? client;

    /// <summary>Where a silo's Orleans gateway listens (<c>127.0.0.1:port</c>).</summary>
    public static string Gateway(SiloHandle silo) => $"127.0.0.1:{silo.GatewayAddress.Endpoint.Port}";

    /// <summary>Every running silo's gateway, comma-separated, for <see cref="FloClient.ConnectAsync"/>.</summary>
    public string Gateways => string.Join(",", ActiveSilos.Select(Gateway));

    /// <summary>A silo's bound HTTP and RESP ports.</summary>
    public static FloListeners Listeners(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<FloListeners>();

    /// <summary>A silo's services (its storage providers, membership, ...).</summary>
    public static IServiceProvider Services(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services;

    /// <summary>A silo-local grain factory: calls made through it start on that silo (no client, no gateway).</summary>
    public static IGrainFactory GrainFactory(SiloHandle silo) => Services(silo).GetRequiredService<IGrainFactory>();

    /// <summary>
    /// A new client through real gateways (all running silos unless named), with this cluster's ids; without
    /// <paramref name="options"/>, also with <see cref="PlatformClusterOptions.ClientToken"/> and, on a TLS cluster, TLS
    /// (<see cref="ClientTls"/>).
    /// </summary>
    public Task<FloClient> ConnectAsync(string? gateways = null, FloClientOptions? options = null)
        => FloClient.ConnectAsync(gateways ?? Gateways, (options ?? DefaultClientOptions with { Token = Options.ClientToken, Tls = ClientTls }) with
        {
            ClusterId = Cluster.Options.ClusterId,
            ServiceId = Cluster.Options.ServiceId,
        });

    /// <summary>
    /// A test client's options: a response timeout of <see cref="TestResponseTimeout"/>, not the product's 3 s, because a
    /// loaded 2-core test machine (several test projects and Chromium at once) can hold a write past 3 s, and a
    /// non-idempotent call that times out fails as "outcome unknown". Tests of timeouts pass their own options.
    /// </summary>
    public static FloClientOptions DefaultClientOptions { get; } = FloClientOptions.Default with { ResponseTimeout = TestResponseTimeout };

    /// <summary>How long a test client's call waits for its answer.</summary>
    public static TimeSpan TestResponseTimeout => TimeSpan.FromSeconds(15);

    /// <summary>
    /// TLS settings a client of this cluster needs (null when <c>Cluster:Tls:Enabled</c> is not set): its authority, and
    /// the silos' own certificate as the client's when the gateway requires one.
    /// </summary>
    public FloClientTlsOptions? ClientTls { get; }

    /// <summary>The silo an activation of <paramref name="grain"/> lives on now (activating it if needed).</summary>
    public async Task<SiloHandle?> HostOfAsync(IAddressable grain)
    {
        var management = Cluster.Client.GetGrain<IManagementGrain>(0);
        var address = await management.GetActivationAddress(grain);
        return address is null ? null : Silos.FirstOrDefault(s => s.SiloAddress.Equals(address));
    }

    /// <summary>
    /// A fresh name whose grain lives on a silo other than <paramref name="avoid"/> (typically a client's only gateway, so
    /// that silo can be stopped or killed under the client). Where a grain activates is placement's choice
    /// (resource-optimized in Orleans 10, preferring the caller's silo), so names are tried, each activated from another
    /// silo in turn, until one lands away from <paramref name="avoid"/>.
    /// </summary>
    /// <param name="avoid">The silo the grain must not live on.</param>
    /// <param name="activate">Activates the grain for a name through a silo-local grain factory and returns it.</param>
    public async Task<(string Name, SiloHandle Host)> PlaceAwayFromAsync(SiloHandle avoid, Func<string, IGrainFactory, Task<IAddressable>> activate)
    {
        var others = ActiveSilos.Where(s => s != avoid).ToList();
        var seen = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            var name = $"away-{i}-{Guid.NewGuid():N}";
            var grain = await activate(name, GrainFactory(others[i % others.Count]));
            var host = await HostOfAsync(grain);
            if (host is not null && host != avoid)
            {
                return (name, host);
            }
            seen.Add(host?.Name ?? "(not found)");
        }
        throw new InvalidOperationException($"No grain of 50 was placed away from {avoid.Name}: {string.Join(", ", seen)}");
    }

    /// <summary>Kills a silo (no goodbye: as <c>kill -9</c>) and waits until the others agree it is dead.</summary>
    public async Task KillSiloAsync(SiloHandle silo)
    {
        await Cluster.KillSiloAsync(silo);
        await Cluster.WaitForLivenessToStabilizeAsync(didKill: true);
    }

    /// <summary>Stops a silo gracefully (it hands off its grains and leaves).</summary>
    public async Task StopSiloAsync(SiloHandle silo)
    {
        await Cluster.StopSiloAsync(silo);
        await Cluster.WaitForLivenessToStabilizeAsync();
    }

    /// <summary>Restarts a stopped or running silo.</summary>
    public async Task<SiloHandle> RestartSiloAsync(SiloHandle silo)
        => await Cluster.RestartSiloAsync(silo) ?? throw new InvalidOperationException($"{silo.Name} did not restart.");

    /// <summary>Starts one more silo.</summary>
    public Task<SiloHandle> StartSiloAsync() => Cluster.StartAdditionalSiloAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        try
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open by a silo that is shutting down; the temp directory is cleaned by the OS.
        }
    }
}

/// <summary>A test silo: the platform, plus its web side on a real Kestrel (HTTP and RESP on OS-chosen ports).</summary>
public sealed class PlatformSiloConfigurator : ISiloConfigurator, IHostConfigurator
{
    /// <inheritdoc/>
    public void Configure(ISiloBuilder siloBuilder)
    {
        var configuration = siloBuilder.Configuration;
        siloBuilder.AddFloPlatform(configuration);
        if (configuration["Cluster:Storage:Provider"] == nameof(FloStorageProvider.Postgres))
        {
            siloBuilder.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = configuration["Cluster:Storage:ConnectionString"];
            });
        }
    }

    /// <inheritdoc/>
    public void Configure(IHostBuilder hostBuilder)
    {
        hostBuilder.ConfigureWebHost(web => web
            .UseKestrel()
            .ConfigureServices((context, services) => services.AddFloSiloWeb(context.Configuration))
            .Configure(app =>
            {
                app.UseFloEndpoints();
                app.UseFloHttpToken();
                app.UseRouting();
                app.UseEndpoints(endpoints => endpoints.MapFloSilo());
            }));
    }
}

/// <summary>
/// The test cluster's own client: the settings every FloClient runs with; membership in PostgreSQL when the silos use
/// it; the cluster's client token and TLS when it has them.
/// </summary>
public sealed class PlatformClientConfigurator : IClientBuilderConfigurator
{
    /// <summary>Where <see cref="PlatformClusterOptions.ClientToken"/> travels to the client's configurator.</summary>
    public const string ClientTokenKey = "FloTest:ClientToken";

    /// <summary>What a client of a cluster with this configuration needs for TLS; null without <c>Cluster:Tls:Enabled</c>.</summary>
    public static FloClientTlsOptions? TlsOf(IConfiguration configuration)
    {
        if (!string.Equals(configuration["Cluster:Tls:Enabled"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var mutual = string.Equals(configuration["Cluster:Tls:RequireClientCertificate"], "true", StringComparison.OrdinalIgnoreCase);
        return new FloClientTlsOptions
        {
            CaPath = configuration["Cluster:Tls:CaPath"],
            CertificatePath = mutual ? configuration["Cluster:Tls:CertificatePath"] : null,
            KeyPath = mutual ? configuration["Cluster:Tls:KeyPath"] : null,
        };
    }

    /// <inheritdoc/>
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
        if (configuration[ClientTokenKey] is { Length: > 0 } token)
        {
            clientBuilder.UseFloToken(token);
        }
        if (TlsOf(configuration) is { } tls)
        {
            clientBuilder.UseFloTls(tls);
        }
        if (configuration["Cluster:Storage:Provider"] == nameof(FloStorageProvider.Postgres))
        {
            clientBuilder.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = configuration["Cluster:Storage:ConnectionString"];
            });
        }
    }
}
