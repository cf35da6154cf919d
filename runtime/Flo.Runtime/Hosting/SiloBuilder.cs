using System.Reflection;
using Flo.Runtime.Membership;
using Flo.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Runtime.Hosting;

/// <summary>Configures what a silo hosts: its grain assemblies and, for tests, a shared in-memory storage.</summary>
public sealed class SiloBuilder
{
    private readonly List<Assembly> assemblies = [];

    internal SiloBuilder(IServiceCollection services) => Services = services;

    /// <summary>The host's services.</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<Assembly> Assemblies => assemblies;

    internal MemoryGrainStorage? SharedMemoryStorage { get; private set; }

    internal InMemoryMembershipTable? SharedMembershipTable { get; private set; }

    internal Reminders.InMemoryReminderTable? SharedReminderTable { get; private set; }

    /// <summary>Uses this in-memory reminder table (shared by in-process silos) when storage is in memory.</summary>
    public SiloBuilder UseInMemoryReminders(Reminders.InMemoryReminderTable table)
    {
        SharedReminderTable = table;
        return this;
    }

    /// <summary>Uses this in-memory membership table (shared by in-process silos) when storage is in memory.</summary>
    public SiloBuilder UseInMemoryMembership(InMemoryMembershipTable table)
    {
        SharedMembershipTable = table;
        return this;
    }

    /// <summary>Hosts the grain classes declared in this assembly (generated registrations).</summary>
    public SiloBuilder AddGrains(Assembly assembly)
    {
        assemblies.Add(assembly);
        return this;
    }

    /// <summary>Serves another protocol on the gateway port, recognised by the first byte of a connection.</summary>
    public SiloBuilder AddGatewayProtocol<TProtocol>() where TProtocol : class, Messaging.IGatewayProtocol
    {
        Services.AddSingleton<Messaging.IGatewayProtocol, TProtocol>();
        return this;
    }

    /// <summary>Adds HTTP endpoints on the silo's HTTP port.</summary>
    public SiloBuilder MapEndpoints(Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder> map)
    {
        Services.AddSingleton(new Messaging.SiloEndpointMapping(map));
        return this;
    }

    /// <summary>Hosts the grain classes declared in <typeparamref name="T"/>'s assembly.</summary>
    public SiloBuilder AddGrains<T>() => AddGrains(typeof(T).Assembly);

    /// <summary>Uses this in-memory storage (shared by several in-process silos in tests) instead of the configured provider.</summary>
    public SiloBuilder UseMemoryStorage(MemoryGrainStorage storage)
    {
        SharedMemoryStorage = storage;
        Services.Configure<StorageOptions>(o => o.Provider = StorageProviderKind.Memory);
        return this;
    }
}
