namespace Flo.Reminders.Tests.Infrastructure;

/// <summary>A clock the test moves by hand (only <see cref="TimeProvider.GetUtcNow"/>; no timers).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;

    public void Set(DateTimeOffset to) => now = to;
}
