using Flo.Testing;
using Orleans.Runtime;

namespace Flo.Bench;

/// <summary>A grain that writes a state through <c>[PersistentState]</c>: the same code over two storage providers.</summary>
public interface IStateBenchGrain : IGrainWithStringKey
{
    /// <summary>Sets the state and writes it (ETag-conditional, as every Orleans provider does).</summary>
    Task Write(byte[] value);
}

/// <summary>The bench grain on the platform's provider (<c>flo</c>: group commit).</summary>
public interface IFloStateBenchGrain : IStateBenchGrain;

/// <summary>The bench grain on <c>Microsoft.Orleans.Persistence.AdoNet</c> (one statement and commit per write).</summary>
public interface IAdoNetStateBenchGrain : IStateBenchGrain;

[GenerateSerializer]
public sealed class BenchState
{
    [Id(0)] public byte[] Value { get; set; } = [];
}

public sealed class FloStateBenchGrain([PersistentState("state", Flo.Grains.FloStorage.Name)] IPersistentState<BenchState> state) : Grain, IFloStateBenchGrain
{
    public Task Write(byte[] value)
    {
        state.State.Value = value;
        return state.WriteStateAsync();
    }
}

public sealed class AdoNetStateBenchGrain([PersistentState("state", StateBench.AdoNetStorageName)] IPersistentState<BenchState> state) : Grain, IAdoNetStateBenchGrain
{
    public Task Write(byte[] value)
    {
        state.State.Value = value;
        return state.WriteStateAsync();
    }
}

/// <summary>
/// The platform's grain storage against <c>Microsoft.Orleans.Persistence.AdoNet</c> on the same PostgreSQL database: one
/// silo with both registered (<c>flo</c> and <c>adonet</c>), the same grain code with <c>[PersistentState]</c> writing a
/// 256-byte state, each caller on its own grain, called through the silo's own grain factory (no network between
/// caller and grain). Alternating rounds; the raw upsert (one statement per commit, no Orleans) is shown for scale.
/// </summary>
public static class StateBench
{
    public const string AdoNetStorageName = "adonet";

    public static async Task RunAsync(TimeSpan duration, string postgres, int[] concurrencies, int rounds)
    {
        await using var database = await BenchDatabase.CreateAsync(postgres);
        await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions
        {
            Storage = Flo.Storage.FloStorageProvider.Postgres,
            ConnectionString = database.ConnectionString,
            ExtraSiloConfigurator = typeof(AdoNetStorageConfigurator),
        });
        var factory = PlatformTestCluster.GrainFactory(cluster.Silos[0]);
        var storage = Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(PlatformTestCluster.Services(cluster.Silos[0]), Flo.Grains.FloStorage.Name);
        var payload = StorageBench.Payload;
        foreach (var c in concurrencies)
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            var flo = Enumerable.Range(0, c).Select(w => factory.GetGrain<IFloStateBenchGrain>($"{run}-{w}")).ToArray();
            var adonet = Enumerable.Range(0, c).Select(w => factory.GetGrain<IAdoNetStateBenchGrain>($"{run}-{w}")).ToArray();
            await Rounds.CompareAsync("[PersistentState] write, flo provider (PostgreSQL)", c, rounds,
                () => StorageBench.WithBatchStatisticsAsync(storage, () => LoadRunner.RunAsync("[PersistentState] write, flo provider", c, duration, (w, _) => flo[w].Write(payload))),
                new Peer("Orleans AdoNet provider", () => LoadRunner.RunAsync("[PersistentState] write, Orleans AdoNet", c, duration, (w, _) => adonet[w].Write(payload))),
                new Peer("raw postgres upsert", () => StorageBench.PostgresPeerAsync(database.ConnectionString, c, duration)));
        }
    }
}
