using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Runtime;

/// <summary>Grain state through the PostgreSQL provider survives the silo, and a stale activation cannot overwrite it.</summary>
[Trait("Category", "Runtime")]
public sealed class DurableStatePostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private TestClusterOptions Options()
    {
        var options = new TestClusterOptions { Storage = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        return options;
    }

    [Fact]
    public async Task StateWrittenBeforeAStopIsReadAfterARestart()
    {
        var keys = Enumerable.Range(0, 20).Select(i => $"pg-{i}-{Guid.NewGuid():N}").ToArray();
        await using (var first = await TestCluster.DeployAsync(Options()))
        {
            await Task.WhenAll(keys.Select((k, i) => first.GrainFactory.GetGrain<ICounterGrain>(k).Add(i + 1)));
        }
        await using var second = await TestCluster.DeployAsync(Options());
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i + 1, await second.GrainFactory.GetGrain<ICounterGrain>(keys[i]).Get());
        }
    }

    [Fact]
    public async Task TwoSilosWithOneGrainCannotBothCommit()
    {
        // Two single silos over one database each activate the same grain: the storage ETag lets only one commit.
        await using var a = await TestCluster.DeployAsync(Options());
        await using var b = await TestCluster.DeployAsync(Options());
        var key = "split-" + Guid.NewGuid().ToString("N");
        Assert.Equal(0, await a.GrainFactory.GetGrain<ICounterGrain>(key).Get());
        Assert.Equal(0, await b.GrainFactory.GetGrain<ICounterGrain>(key).Get());

        Assert.Equal(1, await a.GrainFactory.GetGrain<ICounterGrain>(key).Add(1));
        await Assert.ThrowsAsync<InconsistentStateException>(() => b.GrainFactory.GetGrain<ICounterGrain>(key).Add(10));

        // The stale activation was deactivated; its next activation reads the committed state.
        await LifecycleLog.WhenRecorded($"counter/{key}", "deactivate").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await b.GrainFactory.GetGrain<ICounterGrain>(key).Add(1));
    }
}
