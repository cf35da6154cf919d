using Flo.Actions;

namespace Flo.Schedules;

/// <summary>The schedule operations over the grains, shared by the client facade and the HTTP API.</summary>
public sealed class ScheduleApi(IGrainFactory grains)
{
    private readonly ActionApi actions = new(grains);

    /// <summary>
    /// Creates a schedule (enabled) and returns it; the same action, timing, time zone and args again return the first
    /// one. Throws <see cref="ActionNotFoundException"/> when the action is not registered.
    /// </summary>
    public async Task<ScheduleInfo> CreateAsync(string ns, ScheduleDefinition definition, CancellationToken cancellationToken = default)
    {
        ValidateNamespace(ns);
        ScheduleLimits.Validate(definition);
        // Fields of other kinds play no part (and do not make a different schedule).
        definition = definition with
        {
            Cron = definition.Kind == ScheduleKind.Cron ? definition.Cron!.Trim() : null,
            TimeZone = definition.Kind == ScheduleKind.Cron && !string.IsNullOrEmpty(definition.TimeZone) ? definition.TimeZone : null,
            IntervalMs = definition.Kind == ScheduleKind.Interval ? definition.IntervalMs : 0,
            AtMs = definition.Kind == ScheduleKind.Once ? definition.AtMs : 0,
        };
        await actions.GetActionAsync(ns, definition.Action, cancellationToken).ConfigureAwait(false);
        var id = ScheduleLimits.IdOf(definition);
        return await Grain(ns, id).Create(definition).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A schedule; throws <see cref="ScheduleNotFoundException"/> when there is none.</summary>
    public async Task<ScheduleInfo> GetAsync(string ns, string id, CancellationToken cancellationToken = default)
    {
        ValidateNamespace(ns);
        ScheduleLimits.ValidateId(id);
        return await Grain(ns, id).Get().WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw Missing(ns, id);
    }

    /// <summary>Enables (next due time from now) or disables a schedule.</summary>
    public async Task<ScheduleInfo> SetEnabledAsync(string ns, string id, bool enabled, CancellationToken cancellationToken = default)
    {
        await GetAsync(ns, id, cancellationToken).ConfigureAwait(false);
        return await Grain(ns, id).SetEnabled(enabled).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a schedule (its runs stay).</summary>
    public async Task DeleteAsync(string ns, string id, CancellationToken cancellationToken = default)
    {
        await GetAsync(ns, id, cancellationToken).ConfigureAwait(false);
        await Grain(ns, id).Delete().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every schedule of the namespace, by next due time.</summary>
    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync(string ns, CancellationToken cancellationToken = default)
    {
        ValidateNamespace(ns);
        var ids = await grains.GetGrain<IScheduleCatalogGrain>(ns).List().WaitAsync(cancellationToken).ConfigureAwait(false);
        var all = await Task.WhenAll(ids.Select(id => Grain(ns, id).Get())).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. all.Where(s => s is not null).Cast<ScheduleInfo>().OrderBy(s => s.NextRunAtMs == 0 ? long.MaxValue : s.NextRunAtMs).ThenBy(s => s.Id, StringComparer.Ordinal)];
    }

    /// <summary>Counts of the namespace's schedules.</summary>
    public async Task<ScheduleStats> StatsAsync(string ns, CancellationToken cancellationToken = default)
    {
        var all = await ListAsync(ns, cancellationToken).ConfigureAwait(false);
        return new ScheduleStats(all.Count, all.Count(s => s.Enabled), all.Sum(s => s.Fired), all.Sum(s => s.Missed));
    }

    private IScheduleGrain Grain(string ns, string id) => grains.GetGrain<IScheduleGrain>(ScheduleLimits.Key(ns, id));

    private static void ValidateNamespace(string ns)
    {
        if (Kv.KvKeys.NamespaceError(ns) is { } error)
        {
            throw new ScheduleArgumentException(error);
        }
    }

    private static ScheduleNotFoundException Missing(string ns, string id) => new($"Schedule {id} does not exist in namespace '{ns}'.");
}
