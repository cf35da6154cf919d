using System.Net;
using System.Reflection;
using Flo.Dataflow;
using Flo.Grains;
using Flo.Grains.Management;
using Flo.Hosting.Security;
using Flo.Reminders;
using Flo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;

namespace Flo.Hosting;

/// <summary>
/// What a silo needs to host the platform, as Orleans silo-builder extensions: the platform's grains and their
/// storage (<see cref="AddFloPlatform"/>), and clustering and endpoints for a real deployment
/// (<see cref="UseFloClustering"/>; a test cluster brings its own).
/// </summary>
public static class FloSiloBuilderExtensions
{
    /// <summary>
    /// Adds the platform: its grains, the platform's grain storage (<c>flo</c>: <c>Cluster:Storage</c>), the default
    /// storage for users' grains (<see cref="FloSiloOptions.DefaultGrainStorage"/>), reminders on the same database,
    /// membership timings (<see cref="FloMembershipDefaults"/>, then <c>Cluster:Membership</c>), activity propagation,
    /// Orleans' runtime dashboard (served by <see cref="FloSiloWebExtensions.MapFloSilo"/> under <c>/orleans/</c>),
    /// grain assemblies named in <see cref="FloSiloOptions.GrainAssemblies"/>, flow node types to run in the silo from
    /// the assemblies named in <see cref="FloDataflowSiloOptions.NodeAssemblies"/>, access tokens on calls from clients
    /// when <c>Cluster:Security</c> configures any, and TLS between silos and on the gateway with <c>Cluster:Tls:Enabled</c>
    /// (<c>docs/security.md</c>).
    /// </summary>
    public static ISiloBuilder AddFloPlatform(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = FloSiloConfiguration.Read(configuration);
        var storage = FloSiloConfiguration.ReadStorage(configuration);
        silo.Services.AddOptions<FloSiloOptions>().Bind(configuration.GetSection(FloSiloOptions.Section));
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        if (options.Name is { Length: > 0 } name)
        {
            silo.Configure<SiloOptions>(o => o.SiloName = name);
        }
        silo.Configure<ClusterMembershipOptions>(FloMembershipDefaults.Apply);
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection(FloSiloOptions.Section + ":Membership"));
        silo.Configure<GrainCollectionOptions>(configuration.GetSection(FloSiloOptions.Section + ":GrainCollection"));
        silo.Configure<SiloMessagingOptions>(configuration.GetSection(FloSiloOptions.Section + ":Messaging"));
        silo.AddActivityPropagation();
        if (options.Telemetry.OrleansDashboard)
        {
            // Its grains collect every silo's counters and grain method profiles; the page is mapped on our HTTP port.
            silo.AddDashboard();
        }
        // Every silo counts the grain calls it receives, for the management API's calls per second.
        silo.AddFloCallCounting();
        silo.AddFloGrainServices();
        silo.Services.AddFloSecurity(configuration);
        if (FloSecurity.IsConfigured(configuration))
        {
            // Added only with tokens: an open cluster's calls pay nothing for the check.
            silo.AddIncomingGrainCallFilter<FloGrainAccessFilter>();
        }
        silo.UseFloTls(configuration);

        if (storage.Provider == FloStorageProvider.Postgres)
        {
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new PostgresSchemaParticipant(
                storage.ConnectionString ?? throw new InvalidOperationException("Cluster:Storage:ConnectionString is required when Cluster:Storage:Provider is Postgres."),
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        }
        var storageSection = configuration.GetSection(FloSiloOptions.Section + ":Storage");
        silo.AddFloGrainStorage(FloStorage.Name, storageSection.Bind);
        AddDefaultGrainStorage(silo, options, storage, storageSection);
        AddReminders(silo, storage);

        silo.Services.Configure<FlowSiloNodeOptions>(o => o.ValueByReferenceBytes = options.Dataflow.ValueByReferenceBytes);
        silo.Services.Configure<Flo.Grains.Dataflow.FlowGrainOptions>(o => o.FinishedRunRetention = options.Dataflow.FinishedRunRetention);
        foreach (var path in options.Dataflow.NodeAssemblies)
        {
            // Node types in these run inside the silo (their node grains call them, no worker needed).
            silo.Services.AddFloFlowNodes(Assembly.LoadFrom(Path.GetFullPath(path)));
        }
        silo.Services.AddSerializer(serializer =>
        {
            serializer.AddAssembly(typeof(GrainsAssembly).Assembly);
            foreach (var path in options.GrainAssemblies)
            {
                serializer.AddAssembly(Assembly.LoadFrom(Path.GetFullPath(path)));
            }
        });
        return silo;
    }

    /// <summary>
    /// Endpoints and clustering for a real deployment: silo port, gateway port and advertised address from
    /// <c>Cluster:Endpoints</c>; membership in PostgreSQL (<c>Microsoft.Orleans.Clustering.AdoNet</c>) when the storage
    /// provider is Postgres, else localhost clustering (one embedded silo). With <c>Cluster:Kubernetes:Enabled</c>
    /// (<see cref="FloKubernetesOptions"/>; Postgres only) it adds <c>UseKubernetesHosting</c>: the pod's name and IP
    /// become the silo's name and advertised address, and the silo of a deleted pod is declared dead at once.
    /// </summary>
    public static ISiloBuilder UseFloClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = FloSiloConfiguration.Read(configuration);
        var storage = FloSiloConfiguration.ReadStorage(configuration);
        var endpoints = options.Endpoints;
        var kubernetes = options.Kubernetes;
        if (kubernetes.Enabled && storage.Provider != FloStorageProvider.Postgres)
        {
            // The package is no membership provider: without PostgreSQL each pod would be a cluster of its own.
            throw new InvalidOperationException("Cluster:Kubernetes:Enabled needs Cluster:Storage:Provider=Postgres (membership, state and reminders shared by the pods).");
        }
        if (storage.Provider == FloStorageProvider.Postgres)
        {
            var listen = IPAddress.Parse(endpoints.ListenAddress);
            if (kubernetes.Enabled)
            {
                // The package fills only what is unset, after Orleans' own post-configuration has already put this
                // host's first address in AdvertisedIPAddress: so the pod IP (POD_IP, the address other pods reach) is
                // set here, unless Cluster:Endpoints:AdvertisedAddress pins one. Listening stays on any address unless
                // a specific one is configured.
                var podIp = Environment.GetEnvironmentVariable(Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodIPEnvironmentVariable);
                silo.Configure<EndpointOptions>(o =>
                {
                    o.SiloPort = endpoints.SiloPort;
                    o.GatewayPort = endpoints.GatewayPort;
                    if (endpoints.AdvertisedAddress is { Length: > 0 } pinned)
                    {
                        o.AdvertisedIPAddress = IPAddress.Parse(pinned);
                    }
                    else if (podIp is { Length: > 0 })
                    {
                        o.AdvertisedIPAddress = IPAddress.Parse(podIp);
                    }
                    if (!listen.Equals(IPAddress.Any))
                    {
                        o.SiloListeningEndpoint = new IPEndPoint(listen, endpoints.SiloPort);
                        o.GatewayListeningEndpoint = new IPEndPoint(listen, endpoints.GatewayPort);
                    }
                });
                silo.UseKubernetesHosting(hosting => hosting.Configure(o =>
                {
                    o.MaxAgents = kubernetes.MaxAgents;
                    o.DeleteDefunctSiloPods = kubernetes.DeleteDefunctSiloPods;
                }));
            }
            else
            {
                var advertised = endpoints.AdvertisedAddress is { Length: > 0 } a
                    ? IPAddress.Parse(a)
                    : !listen.Equals(IPAddress.Any) ? listen : FloSiloConfiguration.FirstHostAddress();
                silo.ConfigureEndpoints(advertised, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: listen.Equals(IPAddress.Any));
            }
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = FloSiloConfiguration.PostgresInvariant;
                o.ConnectionString = storage.ConnectionString;
            });
        }
        else
        {
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }
        return silo;
    }

    private static void AddDefaultGrainStorage(ISiloBuilder silo, FloSiloOptions options, FloStorageOptions storage, IConfigurationSection storageSection)
    {
        if (string.Equals(options.DefaultGrainStorage, "AdoNet", StringComparison.OrdinalIgnoreCase))
        {
            if (storage.Provider != FloStorageProvider.Postgres)
            {
                throw new InvalidOperationException("Cluster:DefaultGrainStorage=AdoNet needs Cluster:Storage:Provider=Postgres (it stores in that database).");
            }
            silo.AddAdoNetGrainStorageAsDefault(o =>
            {
                o.Invariant = FloSiloConfiguration.PostgresInvariant;
                o.ConnectionString = storage.ConnectionString;
            });
        }
        else if (string.Equals(options.DefaultGrainStorage, "Flo", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddFloGrainStorageAsDefault(storageSection.Bind);
        }
        else
        {
            throw new InvalidOperationException($"Cluster:DefaultGrainStorage must be Flo or AdoNet; got '{options.DefaultGrainStorage}'.");
        }
    }

    private static void AddReminders(ISiloBuilder silo, FloStorageOptions storage)
    {
        switch (storage.Provider)
        {
            case FloStorageProvider.Postgres:
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = FloSiloConfiguration.PostgresInvariant;
                    o.ConnectionString = storage.ConnectionString;
                });
                break;
            case FloStorageProvider.Sqlite:
                silo.UseSqliteReminderService(o => o.DataDirectory = storage.DataDirectory);
                break;
            default:
                silo.UseInMemoryReminderService();
                break;
        }
    }
}
