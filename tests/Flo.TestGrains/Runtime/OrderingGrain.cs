namespace Flo.TestGrains.Runtime;

[GenerateSerializer]
public sealed record ConcurrencyReport([property: Id(0)] int MaxConcurrent, [property: Id(1)] int Violations);

/// <summary>Measures how requests overlap, to check turn-based execution.</summary>
public interface IOrderingGrain : IGrainWithStringKey
{
    /// <summary>A writer: holds the turn across an await.</summary>
    Task Write(int delayMs);

    /// <summary>A reader: may overlap other readers only.</summary>
    [ReadOnly]
    Task Read(int delayMs);

    [AlwaysInterleave]
    Task<ConcurrencyReport> Report();

    /// <summary>Waits without holding the turn (like a blocking get).</summary>
    [AlwaysInterleave]
    Task Linger(int delayMs);
}

public interface IReentrantOrderingGrain : IOrderingGrain
{
}

public class OrderingGrain : Grain, IOrderingGrain
{
    private int writers;
    private int readers;
    private int max;
    private int violations;
    private int threadsInside;

    public async Task Write(int delayMs)
    {
        Enter(ref writers);
        if (readers > 0 || writers > 1)
        {
            violations++;
        }
        await Task.Delay(delayMs);
        Exit(ref writers);
    }

    public async Task Read(int delayMs)
    {
        Enter(ref readers);
        if (writers > 0)
        {
            violations++;
        }
        await Task.Delay(delayMs);
        Exit(ref readers);
    }

    private void Enter(ref int counter)
    {
        // Two threads inside grain code at once would break the single-threaded guarantee even for reentrant grains.
        if (Interlocked.Increment(ref threadsInside) > 1)
        {
            violations += 1000;
        }
        counter++;
        max = Math.Max(max, writers + readers);
        Interlocked.Decrement(ref threadsInside);
    }

    private void Exit(ref int counter) => counter--;

    public Task<ConcurrencyReport> Report() => Task.FromResult(new ConcurrencyReport(max, violations));

    public Task Linger(int delayMs) => Task.Delay(delayMs);
}

[Reentrant]
public sealed class ReentrantOrderingGrain : OrderingGrain, IReentrantOrderingGrain
{
}
