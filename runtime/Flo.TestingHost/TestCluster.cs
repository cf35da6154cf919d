using System.Net;
using System.Net.Sockets;
using Flo.Client;
using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Flo.Runtime.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flo.TestingHost;

/// <summary>
/// In-process silos and a client for tests. Each silo is a full host (Kestrel, gateway, storage) on its own free
/// ports; all share one storage (one memory store, SQLite file or PostgreSQL database).
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions options;
    private readonly List<SiloHandle> silos = [];
    private readonly MemoryGrainStorage? sharedMemory;
    private readonly InMemoryMembershipTable sharedMembership = new();
    private readonly string dataDirectory;
    private readonly bool ownsDataDirectory;
    private int siloCounter;

    private TestCluster(TestClusterOptions options)
    {
        this.options = options;
        if (options.Storage == StorageProviderKind.Memory)
        {
            sharedMemory = new MemoryGrainStorage();
        }
        ownsDataDirectory = options.DataDirectory is null;
        dataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(), "flo-test-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The silos started so far (including stopped ones).</summary>
    public IReadOnlyList<SiloHandle> Silos => silos;

    /// <summary>The shared in-memory storage, when the cluster uses memory storage.</summary>
    public MemoryGrainStorage? MemoryStorage => sharedMemory;

    /// <summary>A client connected to the first silo's gateway.</summary>
    public IClusterClient Client { get; private set; } = null!;

    /// <summary>The client as a grain factory.</summary>
    public IGrainFactory GrainFactory => Client;

    /// <summary>Starts the silos and connects the client.</summary>
    public static async Task<TestCluster> DeployAsync(TestClusterOptions options, CancellationToken cancellationToken = default)
    {
        var cluster = new TestCluster(options);
        try
        {
            for (var i = 0; i < options.InitialSilosCount; i++)
            {
                await cluster.StartSiloAsync(cancellationToken).ConfigureAwait(false);
            }
            cluster.Client = await cluster.ConnectClientAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects another client to the running silos' gateways.</summary>
    public Task<ClusterClient> ConnectClientAsync(ClusterClientOptions? clientOptions = null, CancellationToken cancellationToken = default)
    {
        clientOptions ??= new ClusterClientOptions { ResponseTimeout = options.ClientResponseTimeout };
        clientOptions = clientOptions with { Gateways = silos.Where(s => s.IsRunning).Select(s => s.GatewayEndpoint).ToList() };
        return ClusterClient.ConnectAsync(clientOptions, cancellationToken: cancellationToken);
    }

    /// <summary>Starts one more silo.</summary>
    public Task<SiloHandle> StartSiloAsync(CancellationToken cancellationToken = default)
        => StartSiloAsync(FreePort(), cancellationToken);

    /// <summary>
    /// Starts one more silo whose gateway listens on <paramref name="gatewayPort"/>, e.g. the port of a silo that was
    /// stopped or killed, so a gateway comes back where clients already look for it.
    /// </summary>
    public async Task<SiloHandle> StartSiloAsync(int gatewayPort, CancellationToken cancellationToken = default)
    {
        var name = $"silo-{siloCounter++}";
        var httpPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development, ApplicationName = "Flo.TestingHost" });
        var config = new Dictionary<string, string?>
        {
            ["Cluster:Name"] = name,
            ["Cluster:Endpoints:ListenAddress"] = "127.0.0.1",
            ["Cluster:Endpoints:GatewayPort"] = gatewayPort.ToString(),
            ["Cluster:Endpoints:HttpPort"] = httpPort.ToString(),
            ["Cluster:Endpoints:SiloPort"] = FreePort().ToString(),
            ["Cluster:Storage:Provider"] = options.Storage.ToString(),
            ["Cluster:Storage:DataDirectory"] = dataDirectory,
            ["Cluster:Storage:ConnectionString"] = options.ConnectionString,
        };
        foreach (var (k, v) in options.SiloConfiguration)
        {
            config[k] = v;
        }
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseFloSilo(silo =>
        {
            foreach (var assembly in options.GrainAssemblies)
            {
                silo.AddGrains(assembly);
            }
            if (sharedMemory is not null)
            {
                silo.UseMemoryStorage(sharedMemory);
                silo.UseInMemoryMembership(sharedMembership);
            }
        });
        var app = builder.Build();
        app.MapFloSiloEndpoints();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var handle = new SiloHandle(app, name, gatewayPort, httpPort);
        silos.Add(handle);
        return handle;
    }

    /// <summary>Stops a silo gracefully (its grains deactivate and write their state).</summary>
    public async Task StopSiloAsync(SiloHandle silo)
    {
        if (!silo.IsRunning)
        {
            return;
        }
        silo.IsRunning = false;
        await silo.App.StopAsync().ConfigureAwait(false);
        await silo.App.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Kills a silo: no graceful leave, no grain deactivation, no state written at shutdown, its membership row left
    /// Active — what the cluster sees when a process dies. Its connections are closed.
    /// </summary>
    public async Task KillSiloAsync(SiloHandle silo)
    {
        if (!silo.IsRunning)
        {
            return;
        }
        silo.IsRunning = false;
        silo.Services.GetRequiredService<SiloDetails>().Kill();
        await silo.App.StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        await silo.App.DisposeAsync().ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var silo in silos)
        {
            try
            {
                await StopSiloAsync(silo).ConfigureAwait(false);
            }
            catch
            {
                // Best effort: a test's failure is more useful than a teardown error.
            }
        }
        if (ownsDataDirectory && Directory.Exists(dataDirectory))
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
