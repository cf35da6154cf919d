namespace Flo.Schedules;

/// <summary>
/// One schedule (grain key <c>ns/id</c>; the id is a hash of action, timing and args, so creating the same schedule
/// twice reaches the same grain). Driven by an Orleans reminder; each due time is recorded with the schedule before its
/// run is invoked with the due time as idempotency key, so a silo lost at any point neither loses nor duplicates it.
/// </summary>
[Alias("flo.schedule")]
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates the schedule (enabled) unless it exists; returns it.</summary>
    Task<ScheduleInfo> Create(ScheduleDefinition definition);

    /// <summary>Enables (the next due time is computed from now) or disables it.</summary>
    Task<ScheduleInfo> SetEnabled(bool enabled);

    /// <summary>Deletes it (its runs stay).</summary>
    Task Delete();

    /// <summary>The schedule, or null when there is none.</summary>
    [ReadOnly]
    Task<ScheduleInfo?> Get();
}

/// <summary>The ids of a namespace's schedules (grain key: the namespace), for listings.</summary>
[Alias("flo.schedule.catalog")]
public interface IScheduleCatalogGrain : IGrainWithStringKey
{
    /// <summary>Adds an id.</summary>
    Task Add(string id);

    /// <summary>Removes an id.</summary>
    Task Remove(string id);

    /// <summary>Every id.</summary>
    [ReadOnly]
    Task<string[]> List();
}
