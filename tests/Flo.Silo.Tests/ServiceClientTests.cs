using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flo.Silo.Tests;

/// <summary>A service's <c>AddFloClient</c> finds the gateways in the cluster's PostgreSQL membership table.</summary>
[Trait("Category", "Silo")]
public sealed class ServiceClientTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task AServiceClientReadsTheGatewaysFromTheMembershipTable()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 2,
            Storage = Flo.Storage.FloStorageProvider.Postgres,
            ConnectionString = postgres.ConnectionString,
        });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFloClient(o =>
        {
            o.MembershipConnectionString = postgres.ConnectionString;
            o.ClusterId = cluster.Cluster.Options.ClusterId;
            o.ServiceId = cluster.Cluster.Options.ServiceId;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<FloClient>();
        var key = "service-" + Guid.NewGuid().ToString("N");
        var version = await client.Kv.PutAsync(key, [7]);
        Assert.Equal(version, (await cluster.Client.Kv.GetAsync(key))?.Version);
        await host.StopAsync();
    }
}
