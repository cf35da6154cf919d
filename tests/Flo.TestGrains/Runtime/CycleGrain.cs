namespace Flo.TestGrains.Runtime;

/// <summary>A→B→A call cycles between non-reentrant grains.</summary>
public interface ICycleGrain : IGrainWithStringKey
{
    /// <summary>Calls <paramref name="other"/>.Bounce(this key), which calls back into this grain.</summary>
    Task<string> Start(string other);

    Task<string> Bounce(string origin);

    Task<string> Ping();
}

public sealed class CycleGrain : Grain, ICycleGrain
{
    public Task<string> Start(string other) => GrainFactory.GetGrain<ICycleGrain>(other).Bounce(this.GetPrimaryKeyString());

    public Task<string> Bounce(string origin) => GrainFactory.GetGrain<ICycleGrain>(origin).Ping();

    public Task<string> Ping() => Task.FromResult("pong");
}
