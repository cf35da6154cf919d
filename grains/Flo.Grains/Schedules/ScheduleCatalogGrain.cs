using Flo.Schedules;

using Flo.Management;

namespace Flo.Grains.Schedules;

/// <summary>The ids of a namespace's schedules, for listings.</summary>
[GrainType("schedule-catalog")]
public sealed class ScheduleCatalogGrain([PersistentState("catalog", FloStorage.Name)] IPersistentState<ScheduleCatalogState> state) : Grain, IScheduleCatalogGrain
{
    /// <inheritdoc/>
    public async Task Add(string id)
    {
        if (state.State.Ids.Contains(id))
        {
            return;
        }
        if (!state.State.InDirectory)
        {
            // The namespace's first schedule: the dashboard's namespace picker lists it from now on.
            await GrainFactory.GetGrain<INamespaceDirectoryGrain>(INamespaceDirectoryGrain.Key).Add(this.GetPrimaryKeyString());
            state.State.InDirectory = true;
        }
        state.State.Ids.Add(id);
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public async Task Remove(string id)
    {
        if (state.State.Ids.Remove(id))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public Task<string[]> List() => Task.FromResult(state.State.Ids.ToArray());
}

/// <summary>The catalog's stored state.</summary>
[GenerateSerializer]
[Alias("flo.schedule.catalog-state")]
public sealed class ScheduleCatalogState
{
    [Id(0)] public SortedSet<string> Ids { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the namespace was entered in the directory.</summary>
    [Id(1)] public bool InDirectory { get; set; }
}
