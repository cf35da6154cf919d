namespace Flo.Actions.Tests;

/// <summary>The system clock plus an offset a test moves forward (timers keep running on real time).</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long offsetMs;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(long ms) => Interlocked.Add(ref offsetMs, ms);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddMilliseconds(Interlocked.Read(ref offsetMs));
}
