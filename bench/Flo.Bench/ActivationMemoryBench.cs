using Flo.GrainInterfaces.Diagnostics;
using Flo.Grains;
using Flo.TestingHost;

namespace Flo.Bench;

/// <summary>Memory per idle activation: activates N ping grains and divides the managed heap growth by N.</summary>
public static class ActivationMemoryBench
{
    public static async Task RunAsync(int count)
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(GrainsAssembly).Assembly);
        await using var cluster = await TestCluster.DeployAsync(options);
        var inside = cluster.Silos[0].GrainFactory;
        // Warm up code paths so JIT and caches are not counted.
        await inside.GetGrain<IPingGrain>("warm").Ping(1);
        var before = Heap();
        var started = DateTime.UtcNow;
        const int batch = 1000;
        for (var i = 0; i < count; i += batch)
        {
            await Task.WhenAll(Enumerable.Range(i, Math.Min(batch, count - i)).Select(k => inside.GetGrain<IPingGrain>($"mem-{k}").Ping(k)));
        }
        var activateTime = DateTime.UtcNow - started;
        var after = Heap();
        Console.WriteLine($"{count:N0} activations created in {activateTime.TotalSeconds:0.0} s ({count / activateTime.TotalSeconds:N0}/s); managed heap +{(after - before) / 1024.0 / 1024.0:0.0} MiB = {(after - before) / (double)count:N0} bytes per idle activation");
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
