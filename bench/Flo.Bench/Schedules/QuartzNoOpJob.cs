using Quartz;

namespace Flo.Bench.Schedules;

/// <summary>
/// The Quartz peer's job: does nothing but log the fire (trigger <c>t{i}</c> is schedule i; its scheduled fire time is the
/// due time served) in the round's <see cref="FireLog"/>, which the scheduler's context carries.
/// </summary>
public sealed class QuartzNoOpJob : IJob
{
    /// <summary>The key of the round's <see cref="FireLog"/> in the scheduler's context.</summary>
    public const string LogKey = "flo-bench-fire-log";

    /// <inheritdoc/>
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var started = FireLog.NowMs;
        var log = (FireLog)context.Scheduler.Context[LogKey]!;
        log.Add(int.Parse(context.Trigger.Key.Name.AsSpan(1)), context.ScheduledFireTimeUtc!.Value.ToUnixTimeMilliseconds(), started);
        return ValueTask.CompletedTask;
    }
}
