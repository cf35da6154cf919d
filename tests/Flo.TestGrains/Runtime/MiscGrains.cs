namespace Flo.TestGrains.Runtime;

public enum Color { Red, Green, Blue }

[GenerateSerializer]
public sealed record Payload([property: Id(0)] string Name, [property: Id(1)] byte[] Data, [property: Id(2)] Color Color, [property: Id(3)] Dictionary<string, int>? Tags);

/// <summary>Exercises argument and result shapes, errors, one-way calls and grain references over the wire.</summary>
public interface IEchoGrain : IGrainWithStringKey
{
    Task<Payload> Echo(Payload payload);

    Task<byte[]> EchoBytes(byte[] data);

    Task Fail(string message);

    [OneWay]
    Task Tell(string value);

    Task<string?> LastTold();

    Task<int> AddVia(ICounterGrain counter, int delta);

    Task<ICounterGrain> CounterRef(string key);

    Task<string> CallChain();
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    private string? told;

    public Task<Payload> Echo(Payload payload) => Task.FromResult(payload);

    public Task<byte[]> EchoBytes(byte[] data) => Task.FromResult(data);

    public Task Fail(string message) => throw new ArgumentException(message);

    public Task Tell(string value)
    {
        told = value;
        return Task.CompletedTask;
    }

    public Task<string?> LastTold() => Task.FromResult(told);

    public Task<int> AddVia(ICounterGrain counter, int delta) => counter.Add(delta);

    public Task<ICounterGrain> CounterRef(string key) => Task.FromResult(GrainFactory.GetGrain<ICounterGrain>(key));

    public Task<string> CallChain() => Task.FromResult(Flo.Runtime.RequestContext.CallChain ?? "");
}

/// <summary>Timers: ticks are turns, counted.</summary>
public interface ITimerGrain : IGrainWithGuidKey
{
    Task StartTicking(int periodMs);

    [AlwaysInterleave]
    Task<int> Ticks();

    Task Stop();
}

public sealed class TimerGrain : Grain, ITimerGrain
{
    private IGrainTimer? timer;
    private int ticks;

    public Task StartTicking(int periodMs)
    {
        timer = RegisterGrainTimer(_ =>
        {
            ticks++;
            return Task.CompletedTask;
        }, TimeSpan.FromMilliseconds(periodMs), TimeSpan.FromMilliseconds(periodMs));
        return Task.CompletedTask;
    }

    public Task<int> Ticks() => Task.FromResult(ticks);

    public Task Stop()
    {
        timer?.Dispose();
        return Task.CompletedTask;
    }
}

public interface IIntegerKeyGrain : IGrainWithIntegerKey
{
    Task<long> Key();
}

public sealed class IntegerKeyGrain : Grain, IIntegerKeyGrain
{
    public Task<long> Key() => Task.FromResult(this.GetPrimaryKeyLong());
}

/// <summary>No class implements this: calls must fail with GrainNotFoundException.</summary>
public interface IUnimplementedGrain : IGrainWithStringKey
{
    Task Nothing();
}
