using Flo.GrainInterfaces.Diagnostics;

namespace Flo.Grains.Diagnostics;

/// <summary>Stateless ping grain.</summary>
[GrainType("ping")]
public sealed class PingGrain : Grain, IPingGrain
{
    /// <inheritdoc/>
    public Task<int> Ping(int value) => Task.FromResult(value);

    /// <inheritdoc/>
    public Task<string> Where() => Task.FromResult(RuntimeIdentity);

    /// <inheritdoc/>
    public Task<int> PingOther(string otherKey, int value) => GrainFactory.GetGrain<IPingGrain>(otherKey).Ping(value);
}
