using System.Collections.Concurrent;

namespace Flo.TestGrains.Runtime;

/// <summary>
/// Shared by every in-process silo of a test: how often each probe grain started a request, and gates that hold a
/// request inside the grain until the test releases it (so a silo can be killed while the call is in flight).
/// Static on purpose: the count must survive the silo whose activation saw it.
/// </summary>
public static class RetryProbe
{
    private static readonly ConcurrentDictionary<string, int> Runs = new();
    private static readonly ConcurrentDictionary<string, (TaskCompletionSource Entered, TaskCompletionSource Release)> Gates = new();

    /// <summary>How many times a probe grain with this key started a request.</summary>
    public static int RunsOf(string key) => Runs.GetValueOrDefault(key);

    /// <summary>
    /// Makes the next requests of the probe grain <paramref name="key"/> wait until <c>Release</c> completes;
    /// <c>Entered</c> completes when the first one is inside the grain.
    /// </summary>
    public static (Task Entered, TaskCompletionSource Release) Arm(string key)
    {
        var gate = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Gates[key] = gate;
        return (gate.Item1.Task, gate.Item2);
    }

    internal static Task EnterAsync(string key)
    {
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (Gates.TryGetValue(key, out var gate))
        {
            gate.Entered.TrySetResult();
            return gate.Release.Task;
        }
        return Task.CompletedTask;
    }
}

/// <summary>Counts the requests it starts (<see cref="RetryProbe"/>) and answers with the silo that ran them.</summary>
public interface IRetryProbeGrain : IGrainWithStringKey
{
    /// <summary>Not idempotent: must never run twice for one call.</summary>
    Task<string> Increment();

    /// <summary>Idempotent: may be resent after a lost connection.</summary>
    [Idempotent]
    Task<string> Put();

    /// <summary>Read-only, hence resent like an idempotent call.</summary>
    [ReadOnly]
    Task<string> Peek();

    /// <summary>Idempotent, with a cancellation token for the caller.</summary>
    [Idempotent]
    Task<string> Wait(CancellationToken cancellationToken);

    /// <summary>Runs, then lets a <see cref="SiloUnavailableException"/> escape, as a grain whose own call failed would.</summary>
    Task FailWithUnavailable();
}

public sealed class RetryProbeGrain : Grain, IRetryProbeGrain
{
    public Task<string> Increment() => RunAsync();

    public Task<string> Put() => RunAsync();

    public Task<string> Peek() => RunAsync();

    public Task<string> Wait(CancellationToken cancellationToken) => RunAsync();

    public async Task FailWithUnavailable()
    {
        await RetryProbe.EnterAsync(GetPrimaryKeyString());
        throw new SiloUnavailableException("An inner call found its silo gone.", mayHaveExecuted: false);
    }

    private async Task<string> RunAsync()
    {
        await RetryProbe.EnterAsync(GetPrimaryKeyString());
        return GrainContext.SiloName;
    }
}
