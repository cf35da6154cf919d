namespace Flo.Schedules;

/// <summary>Bad input to a schedule operation (an invalid cron expression names the field): nothing stored. HTTP 400.</summary>
[GenerateSerializer]
[Alias("flo.schedule.error.argument")]
public sealed class ScheduleArgumentException : InvalidArgumentException
{
    /// <summary>Creates the exception.</summary>
    public ScheduleArgumentException(string message) : base(message) { }
}

/// <summary>No such schedule (never created, or deleted). HTTP 404 <c>ScheduleNotFound</c>.</summary>
[GenerateSerializer]
[Alias("flo.schedule.error.not-found")]
public sealed class ScheduleNotFoundException : FloException
{
    /// <summary>Creates the exception.</summary>
    public ScheduleNotFoundException(string message) : base(message) { }
}
