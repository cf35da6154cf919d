using Flo.Runtime.Storage;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Runtime;

/// <summary>Grain state written through the SQLite provider survives the silo.</summary>
[Trait("Category", "Runtime")]
public sealed class DurableStateTests
{
    [Fact]
    public async Task StateWrittenBeforeAStopIsReadAfterARestartOnSqlite()
    {
        var dir = Path.Combine(Path.GetTempPath(), "flo-durable-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new TestClusterOptions { Storage = StorageProviderKind.Sqlite, DataDirectory = dir };
            options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
            var keys = Enumerable.Range(0, 20).Select(i => $"durable-{i}-{Guid.NewGuid():N}").ToArray();
            await using (var first = await TestCluster.DeployAsync(options))
            {
                await Task.WhenAll(keys.Select((k, i) => first.GrainFactory.GetGrain<ICounterGrain>(k).Add(i + 1)));
            }

            await using var second = await TestCluster.DeployAsync(options);
            for (var i = 0; i < keys.Length; i++)
            {
                Assert.Equal(i + 1, await second.GrainFactory.GetGrain<ICounterGrain>(keys[i]).Get());
            }
            Assert.Equal(21, await second.GrainFactory.GetGrain<ICounterGrain>(keys[19]).Add(1));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
