using Flo.Hosting;
using Flo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Flo.Bench;

/// <summary>What an in-process bench cluster runs on.</summary>
public sealed record BenchClusterOptions
{
    /// <summary>Silos started at deploy.</summary>
    public short Silos { get; init; } = 1;

    /// <summary>The platform's storage (with Postgres, membership is in the same database).</summary>
    public FloStorageProvider Storage { get; init; } = FloStorageProvider.Memory;

    /// <summary>PostgreSQL connection string (Storage = Postgres, or for <see cref="AdoNetStorage"/>).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Also register <c>Microsoft.Orleans.Persistence.AdoNet</c> as grain storage <c>adonet</c> (PostgreSQL).</summary>
    public bool AdoNetStorage { get; init; }

    /// <summary>Membership timings (<c>Cluster:Membership:*</c>); null: the platform's defaults.</summary>
    public IReadOnlyDictionary<string, string?>? Membership { get; init; }
}

/// <summary>
/// Silos in this process, hosting the platform as the silo executable does: an Orleans classic <see cref="TestCluster"/>
/// over TCP (real gateway sockets), each silo with <see cref="FloSiloBuilderExtensions.AddFloPlatform"/> and its web side
/// (<see cref="FloSiloWebExtensions.AddFloSiloWeb"/>, HTTP and RESP on OS-chosen ports). Condensed from
/// <c>tests/Shared/PlatformTestCluster.cs</c>.
/// </summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private readonly string dataDirectory;

    private BenchCluster(TestCluster cluster, string dataDirectory)
    {
        Cluster = cluster;
        this.dataDirectory = dataDirectory;
    }

    public TestCluster Cluster { get; }

    public IReadOnlyList<SiloHandle> Silos => Cluster.Silos;

    public static async Task<BenchCluster> DeployAsync(BenchClusterOptions options)
    {
        if (options.Storage == FloStorageProvider.Postgres || options.AdoNetStorage)
        {
            // ADO.NET clustering and grain storage read OrleansQuery as they start: the schema goes in first.
            await FloSchema.ApplyPostgresAsync(options.ConnectionString!);
        }
        var dataDirectory = Path.Combine(Path.GetTempPath(), "flo-bench-" + Guid.NewGuid().ToString("N")[..12]);
        var builder = new TestClusterBuilder(options.Silos);
        builder.Options.ServiceId = "flo";
        builder.Options.ClusterId = "flo-bench-" + Guid.NewGuid().ToString("N")[..8];
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.UseTestClusterMembership = options.Storage != FloStorageProvider.Postgres;
        // No per-silo log files: at Information they record every placement (Polly) and every SQL command (Npgsql).
        builder.Options.ConfigureFileLogging = false;
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
            ["Bench:AdoNetStorage"] = options.AdoNetStorage ? "true" : "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in options.Membership ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(configuration));
        builder.AddSiloBuilderConfigurator<BenchSiloConfigurator>();
        builder.AddClientBuilderConfigurator<BenchClientConfigurator>();
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
        return new BenchCluster(cluster, dataDirectory);
    }

    /// <summary>Where a silo's Orleans gateway listens.</summary>
    public static string Gateway(SiloHandle silo) => $"127.0.0.1:{silo.GatewayAddress.Endpoint.Port}";

    /// <summary>A silo's services (its own grain factory, storage providers, membership).</summary>
    public static IServiceProvider Services(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services;

    /// <summary>A silo-local grain factory: calls made through it start on that silo (no client, no gateway).</summary>
    public static IGrainFactory GrainFactory(SiloHandle silo) => Services(silo).GetRequiredService<IGrainFactory>();

    /// <summary>A FloClient over real gateways (every running silo unless named), with this cluster's ids.</summary>
    public Task<FloClient> ConnectAsync(string? gateways = null)
        => FloClient.ConnectAsync(gateways ?? string.Join(",", Cluster.GetActiveSilos().Select(Gateway)),
            FloClientOptions.Default with { ClusterId = Cluster.Options.ClusterId, ServiceId = Cluster.Options.ServiceId });

    /// <summary>The silo an activation of <paramref name="grain"/> lives on (activating it first if needed).</summary>
    public async Task<SiloAddress?> HostOfAsync(IAddressable grain)
    {
        var address = await Cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        return address;
    }

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
        }
    }
}

/// <summary>A bench silo: the platform, optionally the stock ADO.NET grain storage, and the web side (HTTP, RESP).</summary>
public sealed class BenchSiloConfigurator : ISiloConfigurator, IHostConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var configuration = siloBuilder.Configuration;
        siloBuilder.AddFloPlatform(configuration);
        var connectionString = configuration["Cluster:Storage:ConnectionString"];
        if (configuration["Cluster:Storage:Provider"] == nameof(FloStorageProvider.Postgres))
        {
            siloBuilder.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
        }
        if (configuration["Bench:AdoNetStorage"] == "true")
        {
            siloBuilder.AddAdoNetGrainStorage(StateBench.AdoNetStorageName, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
        }
    }

    public void Configure(IHostBuilder hostBuilder)
    {
        hostBuilder.ConfigureWebHost(web => web
            .UseKestrel()
            .ConfigureServices((context, services) => services.AddRouting().AddFloSiloWeb(context.Configuration))
            .Configure(app =>
            {
                app.UseRouting();
                app.UseEndpoints(endpoints => endpoints.MapFloSilo());
            }));
    }
}

/// <summary>The test cluster's own client (used for management calls): membership in PostgreSQL when the silos use it.</summary>
public sealed class BenchClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
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

/// <summary>A database of its own on the bench's PostgreSQL server for one run, dropped afterwards.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string server;
    private readonly string name;

    private BenchDatabase(string server, string name, string connectionString)
    {
        this.server = server;
        this.name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string server)
    {
        var name = "flo_bench_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new BenchDatabase(server, name, new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 200 }.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
        }
    }
}
