using System.Net;
using System.Net.Sockets;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Flo.Storage.Tests.AdoNet;

/// <summary>
/// Orleans' own ADO.NET clustering, reminders and grain storage on PostgreSQL with the project's schema
/// (<see cref="FloSchema.ApplyPostgresAsync"/>), in a real silo host: what a silo host configured for PostgreSQL runs.
/// </summary>
[Trait("Category", "Storage")]
public sealed class OrleansAdoNetPostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private IHost host = null!;

    public async Task InitializeAsync()
    {
        var connectionString = postgres.ConnectionString;
        // What the silo host does: the schema first, because clustering reads OrleansQuery as the silo starts.
        await FloSchema.ApplyPostgresAsync(connectionString);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(o => { o.ClusterId = "adonet-test"; o.ServiceId = "flo-test"; })
            .ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort())
            .UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; })
            .UseAdoNetReminderService(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; })
            .AddAdoNetGrainStorage("adonet", o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; }));
        host = builder.Build();
        await host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }

    [Fact]
    public async Task AGrainWithALongKeyKeepsItsStateAcrossActivationsAndListsItsReminder()
    {
        var key = new string('k', 600) + Guid.NewGuid().ToString("N");
        var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAdoNetTestGrain>(key);
        await grain.Set("first");
        await grain.Set("second");
        var before = await grain.Get();

        await grain.Deactivate();
        var after = await grain.Get();
        Assert.NotEqual(before.Activation, after.Activation);
        Assert.Equal(("second", before.Etag), (after.Text, after.Etag));

        await grain.RegisterReminder("tick");
        await grain.RegisterReminder("tock");
        Assert.Equal(["tick", "tock"], await grain.ListReminders());

        // The rows are ours to see: the full 600+ character key in both tables.
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString = $1) + (SELECT count(*) FROM OrleansRemindersTable WHERE GrainId LIKE '%' || $1)",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        Assert.Equal(3L, await command.ExecuteScalarAsync());

        // And the silo's membership row is there, Active.
        await using var members = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = 'adonet-test' AND Status = 3", connection);
        Assert.Equal(1L, await members.ExecuteScalarAsync());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
