namespace Flo.Grains.Management;

/// <summary>Grain calls this silo has received since it started: one per silo, counted by <see cref="CallCountingFilter"/>.</summary>
public sealed class SiloCallCounter
{
    private long calls;

    /// <summary>Calls so far.</summary>
    public long Calls => Interlocked.Read(ref calls);

    /// <summary>Counts one call.</summary>
    public void Count() => Interlocked.Increment(ref calls);
}
