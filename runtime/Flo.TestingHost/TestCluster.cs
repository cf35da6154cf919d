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
    private readonly Runtime.Reminders.InMemoryReminderTable sharedReminders = new();
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
    public async Task<SiloHandle> StartSiloAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartSiloAsync(FreePort(), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (attempt < 5 && IsAddressInUse(e))
            {
                // A port picked as free was taken meanwhile (often as the local port of some outgoing connection).
            }
        }
    }

    private static bool IsAddressInUse(Exception e)
        => e is Microsoft.AspNetCore.Connections.AddressInUseException || e.InnerException is { } inner && IsAddressInUse(inner);

    /// <summary>
    /// Starts one more silo whose gateway listens on <paramref name="gatewayPort"/>, e.g. the port of a silo that was
    /// stopped or killed, so a gateway comes back where clients already look for it.
    /// </summary>
    public async Task<SiloHandle> StartSiloAsync(int gatewayPort, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartSiloOnceAsync(gatewayPort, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (attempt < 5 && IsAddressInUse(e))
            {
                // The HTTP or silo port was taken meanwhile; they are picked again.
            }
        }
    }

    private async Task<SiloHandle> StartSiloOnceAsync(int gatewayPort, CancellationToken cancellationToken)
    {
        var name = $"silo-{siloCounter++}";
        var httpPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development, ApplicationName = "Flo.TestingHost" });
        var config = new Dictionary<string, string?>(TestClusterOptions.FastMembership)
        {
            ["Cluster:Name"] = name,
            ["Cluster:ClusterId"] = options.ClusterId,
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
            foreach (var configure in options.SiloBuilders)
            {
                configure(silo);
            }
            if (sharedMemory is not null)
            {
                silo.UseMemoryStorage(sharedMemory);
                silo.UseInMemoryMembership(sharedMembership);
                silo.UseInMemoryReminders(sharedReminders);
            }
        });
        var app = builder.Build();
        app.MapFloSiloEndpoints();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var handle = new SiloHandle(app, name, gatewayPort, httpPort);
        silos.Add(handle);
        // A silo that stops itself (declared dead by the cluster) ends its process in production; here its host
        // is stopped as if the process exited.
        app.Lifetime.ApplicationStopping.Register(() => _ = Task.Run(() => StopSiloAsync(handle)));
        return handle;
    }

    /// <summary>Starts one more silo and waits until every running silo sees it active.</summary>
    public async Task<SiloHandle> AddSiloAsync(CancellationToken cancellationToken = default)
    {
        var silo = await StartSiloAsync(cancellationToken).ConfigureAwait(false);
        await WaitForMembershipToSettleAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return silo;
    }

    /// <summary>Stops a silo gracefully and starts a new one in its place (a new incarnation, new ports).</summary>
    public async Task<SiloHandle> RestartSiloAsync(SiloHandle silo, CancellationToken cancellationToken = default)
    {
        await StopSiloAsync(silo).ConfigureAwait(false);
        return await AddSiloAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until membership settled: every running silo has the same view, in which exactly the running silos
    /// are active (killed silos have been declared dead). Returns how long it took.
    /// </summary>
    public async Task<TimeSpan> WaitForMembershipToSettleAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var running = silos.Where(s => s.IsRunning).ToList();
            var expected = running.Select(s => s.Address).OfType<SiloAddress>().ToHashSet();
            var views = running.Select(s => s.Membership.CurrentView).ToList();
            if (views.Count > 0
                && views.All(v => v.Version == views[0].Version)
                && views.All(v => v.ActiveMembers.Select(m => m.Silo).ToHashSet().SetEquals(expected)))
            {
                return started.Elapsed;
            }
            if (started.Elapsed > limit)
            {
                throw new TimeoutException($"Membership did not settle within {limit}: " + string.Join("; ", running.Select(s =>
                    $"{s.Name} sees v{s.Membership.CurrentView.Version} active [{string.Join(", ", s.Membership.CurrentView.ActiveMembers.Select(m => m.SiloName))}]")));
            }
            // No nudging: gossip, probes and the periodic refresh must get there on their own.
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
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
