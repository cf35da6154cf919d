using System.Net;
using Flo.Runtime.Catalog;
using Flo.Runtime.Health;
using Flo.Runtime.Lifecycle;
using Flo.Runtime.Membership;
using Flo.Runtime.Messaging;
using Flo.Runtime.Storage;
using Flo.Runtime.Telemetry;
using Flo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Hosting;

/// <summary>Turns an ASP.NET Core application into a Flo silo.</summary>
public static class SiloHostingExtensions
{
    /// <summary>Configuration section of every silo option.</summary>
    public const string ConfigurationSection = "Cluster";

    /// <summary>
    /// Adds the silo: options bound from <c>Cluster:*</c> (appsettings, <c>CLUSTER__...</c> environment variables,
    /// command line), storage, catalog, gateway on Kestrel, health checks and telemetry.
    /// </summary>
    public static WebApplicationBuilder UseFloSilo(this WebApplicationBuilder builder, Action<SiloBuilder>? configure = null)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.AddOptions<SiloOptions>().Bind(config.GetSection(ConfigurationSection)).ValidateOnStart();
        services.AddOptions<EndpointOptions>().Bind(config.GetSection($"{ConfigurationSection}:Endpoints")).ValidateOnStart();
        services.AddOptions<MessagingOptions>().Bind(config.GetSection($"{ConfigurationSection}:Messaging")).ValidateOnStart();
        services.AddOptions<GrainCollectionOptions>().Bind(config.GetSection($"{ConfigurationSection}:GrainCollection")).ValidateOnStart();
        services.AddOptions<MembershipOptions>().Bind(config.GetSection($"{ConfigurationSection}:Membership"));
        services.AddOptions<Reminders.ReminderOptions>().Bind(config.GetSection($"{ConfigurationSection}:Reminders"));
        services.AddOptions<TelemetryOptions>().Bind(config.GetSection($"{ConfigurationSection}:Telemetry"));
        services.AddOptions<StorageOptions>().Bind(config.GetSection($"{ConfigurationSection}:Storage"))
            .Validate(o =>
            {
                StorageOptionsValidator.Validate(o);
                return true;
            }).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EndpointOptions>, SiloOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MessagingOptions>, SiloOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainCollectionOptions>, SiloOptionsValidator>());

        var silo = new SiloBuilder(services);
        configure?.Invoke(silo);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SiloOptions>>().Value;
            var e = sp.GetRequiredService<IOptions<EndpointOptions>>().Value;
            return new SiloDetails(string.IsNullOrWhiteSpace(o.Name) ? $"{Environment.MachineName}-{e.GatewayPort}" : o.Name);
        });
        services.AddSingleton(new GrainTypeManifest(silo.Assemblies));
        services.AddSingleton(sp => StorageBackendFactory.Create(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<ILoggerFactory>(), silo.SharedMemoryStorage));
        services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => sp.GetRequiredService<IStorageBackend>().GrainStorage);
        services.AddSingleton<IMembershipTable>(sp => sp.GetRequiredService<IStorageBackend>() is IRelationalStorageBackend relational
            ? new RelationalMembershipTable(relational, sp.GetRequiredService<IOptions<SiloOptions>>().Value.ClusterId)
            : silo.SharedMembershipTable ?? new InMemoryMembershipTable());
        services.AddSingleton<ClusterMembershipService>();
        services.AddSingleton<IClusterMembership>(sp => sp.GetRequiredService<ClusterMembershipService>());
        services.AddSingleton<MembershipAgent>();
        services.AddSingleton<SiloRuntime>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<SiloRuntime>().Client);
        services.AddSingleton(sp => sp.GetRequiredService<SiloRuntime>().Dispatcher);

        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, OpenTelemetryExport>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, StorageLifecycleParticipant>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CatalogLifecycleParticipant>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SiloStatusLifecycleParticipant>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<MembershipAgent>());
        services.AddSingleton<Reminders.IReminderTable>(sp => sp.GetRequiredService<IStorageBackend>() is IRelationalStorageBackend relational
            ? new Reminders.RelationalReminderTable(relational, sp.GetRequiredService<IOptions<SiloOptions>>().Value.ServiceId)
            : silo.SharedReminderTable ?? new Reminders.InMemoryReminderTable());
        services.AddSingleton<Reminders.ReminderService>();
        services.AddSingleton<IReminderRegistry>(sp => sp.GetRequiredService<Reminders.ReminderService>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Reminders.ReminderService>());
        services.AddSingleton<ClusterHealthMonitor>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ClusterHealthMonitor>());
        services.AddHostedService<SiloHostedService>();

        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelEndpoints>();
        services.AddHealthChecks()
            .AddCheck<SiloActiveHealthCheck>("silo", tags: ["ready"])
            .AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (silo active, storage reachable).</summary>
    public static WebApplication MapFloSiloEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        foreach (var mapping in app.Services.GetServices<SiloEndpointMapping>())
        {
            mapping.Map(app);
        }
        app.MapGet("/cluster/members", async (IMembershipTable table, CancellationToken cancellationToken) =>
        {
            var data = await table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            return new
            {
                version = data.Version.Version,
                members = data.Entries.Select(e => new
                {
                    silo = e.Entry.Silo.ToString(),
                    name = e.Entry.SiloName,
                    status = e.Entry.Status.ToString(),
                    gatewayPort = e.Entry.GatewayPort,
                    httpPort = e.Entry.HttpPort,
                    startTime = e.Entry.StartTime,
                    iAmAliveTime = e.Entry.IAmAliveTime,
                }).OrderBy(m => m.name, StringComparer.Ordinal),
            };
        });
        return app;
    }

    /// <summary>The silo's endpoints on Kestrel: HTTP and the client gateway (a connection handler, not HTTP).</summary>
    private sealed class KestrelEndpoints(IOptions<EndpointOptions> endpoints) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions options)
        {
            var e = endpoints.Value;
            var address = IPAddress.Parse(e.ListenAddress);
            options.Listen(address, e.HttpPort);
            options.Listen(address, e.GatewayPort, l => l.UseConnectionHandler<GatewayConnectionHandler>());
            options.Listen(address, e.SiloPort, l => l.UseConnectionHandler<SiloConnectionHandler>());
        }
    }
}
