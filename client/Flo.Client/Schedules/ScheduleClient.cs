using Flo.Calls;

namespace Flo.Schedules;

/// <summary>
/// Schedules through <see cref="FloClient.Schedule"/> (the executor's <c>schedule_cron</c>, <c>schedule_interval</c>,
/// <c>schedule_once</c>): each due time invokes an action once. Creating the same schedule (action, timing, zone, args)
/// twice returns the first one. Errors: <see cref="ScheduleArgumentException"/> (a bad cron expression names the field),
/// <see cref="ScheduleNotFoundException"/>, <see cref="Actions.ActionNotFoundException"/>.
/// </summary>
public sealed class ScheduleClient
{
    private readonly ScheduleApi api;
    private readonly string defaultNamespace;

    internal ScheduleClient(IGrainFactory grains, string defaultNamespace)
    {
        api = new ScheduleApi(grains);
        this.defaultNamespace = defaultNamespace;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a cron schedule: 5 fields (minute hour day-of-month month day-of-week), 6 with
    /// seconds first, or a macro (<c>@hourly</c>, <c>@daily</c>...), in <paramref name="timeZone"/> (IANA id; null: UTC).
    /// </summary>
    public Task<ScheduleInfo> CronAsync(string action, string cron, string? timeZone = null, ScheduleOptions? options = null, CancellationToken cancellationToken = default)
        => CreateAsync(Definition(action, options) with { Kind = ScheduleKind.Cron, Cron = cron, TimeZone = timeZone }, options, cancellationToken);

    /// <summary>Runs <paramref name="action"/> every <paramref name="interval"/>, the first one interval from now.</summary>
    public Task<ScheduleInfo> IntervalAsync(string action, TimeSpan interval, ScheduleOptions? options = null, CancellationToken cancellationToken = default)
        => CreateAsync(Definition(action, options) with { Kind = ScheduleKind.Interval, IntervalMs = (long)interval.TotalMilliseconds }, options, cancellationToken);

    /// <summary>Runs <paramref name="action"/> once at <paramref name="at"/> (at once if that passed); disabled after it fired.</summary>
    public Task<ScheduleInfo> OnceAsync(string action, DateTimeOffset at, ScheduleOptions? options = null, CancellationToken cancellationToken = default)
        => CreateAsync(Definition(action, options) with { Kind = ScheduleKind.Once, AtMs = at.ToUnixTimeMilliseconds() }, options, cancellationToken);

    /// <summary>Enables a schedule; its next due time is computed from now.</summary>
    public Task<ScheduleInfo> EnableAsync(string id, ScheduleCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.SetEnabledAsync(options?.Namespace ?? defaultNamespace, id, true, cancellationToken);
    }

    /// <summary>Disables a schedule.</summary>
    public Task<ScheduleInfo> DisableAsync(string id, ScheduleCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.SetEnabledAsync(options?.Namespace ?? defaultNamespace, id, false, cancellationToken);
    }

    /// <summary>Deletes a schedule (the executor's <c>unschedule</c>); its runs stay.</summary>
    public Task DeleteAsync(string id, ScheduleCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.DeleteAsync(options?.Namespace ?? defaultNamespace, id, cancellationToken);
    }

    /// <summary>A schedule; throws <see cref="ScheduleNotFoundException"/> when there is none.</summary>
    public Task<ScheduleInfo> GetAsync(string id, ScheduleCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GetAsync(options?.Namespace ?? defaultNamespace, id, cancellationToken);
    }

    /// <summary>Every schedule of the namespace, soonest due first.</summary>
    public Task<IReadOnlyList<ScheduleInfo>> ListAsync(ScheduleCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ListAsync(options?.Namespace ?? defaultNamespace, cancellationToken);
    }

    /// <summary>Counts of the namespace's schedules.</summary>
    public Task<ScheduleStats> StatsAsync(ScheduleCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.StatsAsync(options?.Namespace ?? defaultNamespace, cancellationToken);
    }

    private Task<ScheduleInfo> CreateAsync(ScheduleDefinition definition, ScheduleOptions? options, CancellationToken cancellationToken)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.CreateAsync(options?.Namespace ?? defaultNamespace, definition, cancellationToken);
    }

    private static ScheduleDefinition Definition(string action, ScheduleOptions? o) => new()
    {
        Action = action,
        Args = o?.Args ?? [],
        Description = o?.Description,
        Priority = o?.Priority,
        MaxRetries = o?.MaxRetries,
        RetryDelayMs = o?.RetryDelayMs,
        MissedRuns = o?.MissedRuns ?? MissedRuns.RunOnce,
    };
}
