using Orleans.Concurrency;

namespace Flo.Client.Tests.Grains;

/// <summary>A grain for the retry tests: idempotent and non-idempotent methods, slow on demand, that report where they ran.</summary>
public interface IRetryProbeGrain : IGrainWithStringKey
{
    /// <summary>The silo port of the silo the activation lives on.</summary>
    [ReadOnly]
    Task<int> Where();

    /// <summary>Signals that it started (<see cref="Probe.Started"/>), waits <paramref name="delayMs"/>, returns the silo port.</summary>
    [Idempotent]
    Task<int> SlowRead(int delayMs);

    /// <summary>The first execution for this key waits <paramref name="firstDelayMs"/>; every one returns its execution number.</summary>
    [Idempotent]
    Task<int> SlowOnFirstCall(int firstDelayMs);

    /// <summary>Not idempotent: counts an execution, waits <paramref name="delayMs"/>, returns the executions so far.</summary>
    Task<int> Add(int delayMs);
}
