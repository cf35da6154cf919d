using System.Collections.Concurrent;
using Flo.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Flo.Actions.Tests;

/// <summary>
/// A one-silo platform cluster whose silo reads a <see cref="ShiftedClock"/> the test moves (downtime simulated by
/// jumping it forward), and a client connected to it.
/// </summary>
/// <remarks>
/// Silo configurators are created by type, so the clock is found by an id the cluster's configuration carries: test
/// classes deploying such clusters at the same time each get their own.
/// </remarks>
public sealed class ShiftedClockCluster : IAsyncDisposable
{
    private const string ClockKey = "Test:ShiftedClock";
    private static readonly ConcurrentDictionary<string, ShiftedClock> Clocks = new();

    private readonly string id;

    private ShiftedClockCluster(string id, ShiftedClock clock, PlatformTestCluster cluster, FloClient client)
        => (this.id, Clock, Cluster, Client) = (id, clock, cluster, client);

    /// <summary>The silo's clock.</summary>
    public ShiftedClock Clock { get; }

    /// <summary>The cluster.</summary>
    public PlatformTestCluster Cluster { get; }

    /// <summary>A client connected through the silo's gateway.</summary>
    public FloClient Client { get; }

    /// <summary>Starts the silo on a clock of its own and connects a client.</summary>
    public static async Task<ShiftedClockCluster> DeployAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var clock = Clocks[id] = new ShiftedClock();
        PlatformTestCluster? cluster = null;
        try
        {
            cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
            {
                ExtraSiloConfigurator = typeof(Configurator),
                Configuration = new Dictionary<string, string?> { [ClockKey] = id },
            });
            return new ShiftedClockCluster(id, clock, cluster, await cluster.ConnectAsync());
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            Clocks.TryRemove(id, out _);
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
        Clocks.TryRemove(id, out _);
    }

    /// <summary>Makes the cluster's <see cref="ShiftedClock"/> its silos' <see cref="TimeProvider"/>.</summary>
    public sealed class Configurator : ISiloConfigurator
    {
        /// <inheritdoc/>
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddSingleton<TimeProvider>(Clocks[siloBuilder.Configuration[ClockKey]!]);
    }
}
