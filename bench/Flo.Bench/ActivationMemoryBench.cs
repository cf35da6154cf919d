using Flo.Testing;
using Flo.GrainInterfaces.Diagnostics;

namespace Flo.Bench;

/// <summary>Memory per idle activation: activates N ping grains and divides the managed heap growth by N.</summary>
public static class ActivationMemoryBench
{
    public static async Task RunAsync(int count)
    {
        await using var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions());
        var inside = PlatformTestCluster.GrainFactory(cluster.Silos[0]);
        // Warm up code paths so JIT and caches are not counted.
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(k => inside.GetGrain<IPingGrain>($"warm-{k}").Ping(k)));
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
