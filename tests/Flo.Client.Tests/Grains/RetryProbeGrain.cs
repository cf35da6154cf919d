using System.Collections.Concurrent;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;

namespace Flo.Client.Tests.Grains;

/// <summary>
/// What the probe grains did, shared by the test and the in-process silos (one process, so statics are shared): how
/// often each key's methods executed and when a call started, so tests wait on events instead of sleeping.
/// </summary>
public static class Probe
{
    private static readonly ConcurrentDictionary<string, int> Executions = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> StartedSignals = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> FinishedSignals = new();

    /// <summary>Completes when a call for <paramref name="key"/> started executing.</summary>
    public static Task Started(string key) => StartedSignals.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Completes when a call for <paramref name="key"/> finished executing.</summary>
    public static Task Finished(string key) => FinishedSignals.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>How many times a method ran for <paramref name="key"/>.</summary>
    public static int ExecutionsOf(string key) => Executions.GetValueOrDefault(key);

    internal static int Execute(string key)
    {
        var n = Executions.AddOrUpdate(key, 1, (_, v) => v + 1);
        Started(key);
        StartedSignals[key].TrySetResult();
        return n;
    }

    internal static void Finish(string key)
    {
        Finished(key);
        FinishedSignals[key].TrySetResult();
    }
}

/// <summary>
/// Placed on the silo whose gateway received the call (so a test picks the silo by picking the gateway), reentrant so a
/// resent call is not queued behind the attempt that is still waiting.
/// </summary>
[PreferLocalPlacement]
[Reentrant]
public sealed class RetryProbeGrain(ILocalSiloDetails silo) : Grain, IRetryProbeGrain
{
    private int Port => silo.SiloAddress.Endpoint.Port;

    private string Key => this.GetPrimaryKeyString();

    public Task<int> Where() => Task.FromResult(Port);

    public async Task<int> SlowRead(int delayMs)
    {
        Probe.Execute(Key);
        await Task.Delay(delayMs);
        Probe.Finish(Key);
        return Port;
    }

    public async Task<int> SlowOnFirstCall(int firstDelayMs)
    {
        var n = Probe.Execute(Key);
        if (n == 1)
        {
            await Task.Delay(firstDelayMs);
        }
        Probe.Finish(Key);
        return n;
    }

    public async Task<int> Add(int delayMs)
    {
        var n = Probe.Execute(Key);
        await Task.Delay(delayMs);
        Probe.Finish(Key);
        return n;
    }
}
